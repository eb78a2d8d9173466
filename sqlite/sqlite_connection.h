// SqliteConnection: one open SQLite database file, configured the way our
// stores need it (WAL, synchronous level, busy timeout, size cap), with
// SQLite result codes mapped to absl::Status once (sqlite/sqlite_status.h).
//
//   SqliteConnection::Options options;
//   options.path = data_dir + "/review.sqlite";
//   options.label = "review store";
//   CM_ASSIGN_OR_RETURN(SqliteConnection db, SqliteConnection::Open(options));
//   CM_RETURN_IF_ERROR(db.Exec("CREATE TABLE IF NOT EXISTS ..."));
//   CM_ASSIGN_OR_RETURN(SqliteStatement insert, db.Prepare("INSERT ..."));
//
// Thread-compatible: a connection and its statements are used by one thread
// at a time (the owner's mutex). Several connections, also in other
// processes, may open the same file (SQLite's locking; busy_timeout_ms).
#ifndef CLEARMATCH_SQLITE_SQLITE_CONNECTION_H_
#define CLEARMATCH_SQLITE_SQLITE_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sqlite/sqlite_statement.h"

struct sqlite3;

namespace clearmatch {

class SqliteConnection {
 public:
  // PRAGMA synchronous. In WAL mode kNormal may lose the last commits on
  // power loss (not on a crash); kFull fsyncs the WAL on every commit.
  enum class Synchronous { kNormal, kFull };

  struct Options {
    std::string path;
    // Names the database in error messages ("hash store: ...").
    std::string label = "sqlite";
    // Read-only opens need an existing file and change nothing in it (the
    // settings below are not applied); read-write opens create the file,
    // owner-only (0600, whatever the umask; so are the -wal, -shm and
    // -journal files SQLite makes beside it), and take group and other
    // permissions off an existing one.
    bool read_only = false;
    // How long a call waits for another connection's lock before failing
    // UNAVAILABLE.
    int busy_timeout_ms = 5000;
    // PRAGMA journal_mode=WAL: readers keep reading the last commit while a
    // writer writes. Persistent in the file.
    bool wal = true;
    Synchronous synchronous = Synchronous::kFull;
    // PRAGMA max_page_count (pages of 4 KiB): writes beyond it fail as a full
    // disk does (RESOURCE_EXHAUSTED). 0: no cap.
    int64_t max_page_count = 0;
    // PRAGMA cache_size in KiB; 0: SQLite's default (2 MiB).
    int64_t cache_size_kib = 0;
  };

  // Opens (read-write: creates) the file and applies the options. Errors
  // (sqlite/sqlite_status.h): FAILED_PRECONDITION cannot open (missing
  // directory or file, permissions, cannot make the file owner-only); DATA_LOSS
  // not a database; INVALID_ARGUMENT empty path or negative limits.
  static absl::StatusOr<SqliteConnection> Open(const Options& options);
  SqliteConnection(SqliteConnection&&) = default;
  SqliteConnection& operator=(SqliteConnection&&) = default;

  // Runs one or more statements without results.
  absl::Status Exec(absl::string_view sql);
  absl::StatusOr<SqliteStatement> Prepare(absl::string_view sql);

  // PRAGMA integrity_check: DATA_LOSS "<label> <path> fails
  // integrity_check: <first findings>" if the file is damaged. O(size).
  absl::Status CheckIntegrity(absl::string_view path);

  int64_t LastInsertRowid() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;
  // Whether a transaction is open (SQLite is not in autocommit mode).
  bool InTransaction() const;
  const std::string& label() const { return label_; }

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  SqliteConnection(sqlite3* db, std::string label)
      : db_(db), label_(std::move(label)) {}
  absl::Status Configure(const Options& options);

  std::unique_ptr<sqlite3, Closer> db_;
  std::string label_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_SQLITE_SQLITE_CONNECTION_H_
