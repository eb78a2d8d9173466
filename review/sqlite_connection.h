// RAII wrappers of the SQLite C API used by review/: a connection and its
// prepared statements, with SQLite result codes mapped to absl::Status.
//
//   CM_ASSIGN_OR_RETURN(SqliteConnection db, SqliteConnection::Open(path, rw));
//   CM_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL"));
//   CM_ASSIGN_OR_RETURN(SqliteStatement s, db.Prepare("SELECT ..."));
//   s.BindInt(1, id);
//   CM_ASSIGN_OR_RETURN(bool row, s.Step());
//
// Thread-compatible: a connection and its statements are used by one thread
// at a time (the owner's mutex).
#ifndef CLEARMATCH_REVIEW_SQLITE_CONNECTION_H_
#define CLEARMATCH_REVIEW_SQLITE_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3;
struct sqlite3_stmt;

namespace clearmatch::review_internal {

// The most specific status for a SQLite result code: RESOURCE_EXHAUSTED for
// a full disk, DATA_LOSS for a damaged file, UNAVAILABLE for busy or I/O
// errors, FAILED_PRECONDITION for a file that cannot be opened or written.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what);

class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&&) = default;
  SqliteStatement& operator=(SqliteStatement&&) = default;

  // Indexes from 1. Text is copied.
  void BindText(int index, absl::string_view text);
  void BindInt(int index, int64_t value);
  void BindBlob(int index, absl::string_view bytes);
  // true: a row is ready; false: done (the statement is reset).
  absl::StatusOr<bool> Step();
  // Steps to completion (for INSERT/UPDATE/DELETE).
  absl::Status Run();
  void Reset();

  std::string Text(int column) const;  // from 0
  int64_t Int(int column) const;
  bool IsNull(int column) const;

 private:
  friend class SqliteConnection;
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

class SqliteConnection {
 public:
  // Read-write opens create the file; read-only ones need it to exist.
  static absl::StatusOr<SqliteConnection> Open(const std::string& path,
                                               bool read_write);
  SqliteConnection(SqliteConnection&&) = default;
  SqliteConnection& operator=(SqliteConnection&&) = default;

  absl::Status Exec(const char* sql);
  absl::StatusOr<SqliteStatement> Prepare(absl::string_view sql);
  int64_t LastInsertRowid() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;
  sqlite3* get() const { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  std::unique_ptr<sqlite3, Closer> db_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteConnection& db) : db_(db) {}
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  absl::Status Begin();
  absl::Status Commit();

 private:
  SqliteConnection& db_;
  bool open_ = false;
};

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_SQLITE_CONNECTION_H_
