// SQLite-backed HashStore.
#include "feed/hash_store.h"

#include <sqlite3.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "feed/feed_changes_builder.h"

namespace clearmatch {
namespace {

constexpr int kSchemaVersion = 1;

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS feeds (
  feed_id TEXT PRIMARY KEY,
  sequence INTEGER NOT NULL,
  manifest_created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
  feed_id TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  hash_type TEXT NOT NULL,
  hash TEXT NOT NULL,
  bank TEXT NOT NULL,
  category TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (feed_id, entry_id)
) WITHOUT ROWID;
)sql";

// The most specific status for a SQLite result code, with SQLite's message
// and the OS error (e.g. "File too large") when there is one.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what) {
  std::string message =
      absl::StrCat("hash store: ", what, ": ",
                   db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
                   " (sqlite code ", rc);
  const int system_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
  if (system_errno != 0) {
    absl::StrAppend(&message, ", ", std::strerror(system_errno));
  }
  message.push_back(')');
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(absl::StrCat(message, ": disk full"));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(message);
    case SQLITE_IOERR:
      return absl::UnavailableError(absl::StrCat(
          message, rc == SQLITE_IOERR_WRITE
                       ? ": I/O error writing (disk full, file size limit or "
                         "device error)"
                       : ": I/O error"));
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return absl::FailedPreconditionError(message);
    default:
      return absl::InternalError(message);
  }
}

// Owns one prepared statement.
class Statement {
 public:
  Statement() = default;
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  absl::Status Prepare(sqlite3* db, const char* sql) {
    db_ = db;
    const int rc = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
    return rc == SQLITE_OK ? absl::OkStatus() : SqliteError(db, rc, "prepare");
  }
  void BindText(int index, absl::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                      SQLITE_STATIC);
  }
  void BindInt(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
  }
  // SQLITE_ROW -> true, SQLITE_DONE -> false (and resets), else error.
  absl::StatusOr<bool> Step(absl::string_view what) {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
      Reset();
      return false;
    }
    absl::Status error = SqliteError(db_, rc, what);
    Reset();
    return error;
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string Text(int column) const {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text == nullptr ? std::string()
                           : std::string(reinterpret_cast<const char*>(text),
                                         sqlite3_column_bytes(stmt_, column));
  }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

absl::Status Exec(sqlite3* db, const char* sql, absl::string_view what) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? absl::OkStatus() : SqliteError(db, rc, what);
}

// BEGIN IMMEDIATE ... COMMIT; rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  absl::Status Begin() {
    absl::Status s = Exec(db_, "BEGIN IMMEDIATE", "begin transaction");
    open_ = s.ok();
    return s;
  }
  absl::Status Commit() {
    absl::Status s = Exec(db_, "COMMIT", "commit");
    // A failed COMMIT (e.g. disk full) may leave the transaction open; the
    // destructor rolls it back.
    if (s.ok() || sqlite3_get_autocommit(db_)) open_ = false;
    return s;
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

// DATA_LOSS if the row holds what this code never writes (tampering).
absl::StatusOr<FeedEntry> ReadEntry(const Statement& row) {
  FeedEntry entry;
  entry.entry_id = row.Text(0);
  absl::StatusOr<HashType> type = ParseHashType(row.Text(1));
  if (!type.ok()) {
    return absl::DataLossError(absl::StrCat(
        "hash store entry ", feed_internal::QuoteForError(entry.entry_id), ": ",
        type.status().message()));
  }
  entry.hash_type = *type;
  entry.hash = row.Text(2);
  entry.bank = row.Text(3);
  entry.category = row.Text(4);
  entry.added_at_unix_seconds = row.Int(5);
  return entry;
}

// Binds (feed_id, entry fields) as parameters 1..7 and runs the statement.
absl::Status WriteEntry(Statement& statement, absl::string_view feed_id,
                        const FeedEntry& entry, absl::string_view what) {
  statement.BindText(1, feed_id);
  statement.BindText(2, entry.entry_id);
  const std::string type_name(HashTypeName(entry.hash_type));
  statement.BindText(3, type_name);
  statement.BindText(4, entry.hash);
  statement.BindText(5, entry.bank);
  statement.BindText(6, entry.category);
  statement.BindInt(7, entry.added_at_unix_seconds);
  absl::StatusOr<bool> row = statement.Step(what);
  return row.ok() ? absl::OkStatus() : row.status();
}

constexpr char kSelectEntryColumns[] =
    "SELECT entry_id, hash_type, hash, bank, category, added_at FROM entries ";

}  // namespace

absl::StatusOr<std::unique_ptr<HashStore>> HashStore::Open(Options options) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(
      options.path.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  // The handle exists even on failure; the store owns it from here.
  std::unique_ptr<HashStore> store(new HashStore(std::move(options), raw));
  if (rc != SQLITE_OK) {
    return SqliteError(raw, rc, absl::StrCat("open ", store->options_.path));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);
  absl::MutexLock lock(&store->mu_);
  int64_t found = 0;
  {
    Statement version;
    if (absl::Status s = version.Prepare(raw, "PRAGMA user_version"); !s.ok()) {
      return s;
    }
    absl::StatusOr<bool> has_row = version.Step("read schema version");
    if (!has_row.ok()) return has_row.status();
    found = *has_row ? version.Int(0) : 0;
  }
  if (found != 0 && found != kSchemaVersion) {
    return absl::DataLossError(absl::StrCat(
        "hash store ", store->options_.path, " has schema version ", found,
        ", this build reads ", kSchemaVersion));
  }
  // WAL: readers keep reading the last commit while a delta is applied.
  // synchronous=FULL: a committed delta survives power loss, not only a
  // crash (one extra fsync per transaction).
  if (absl::Status s = Exec(raw,
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                            "PRAGMA cache_size=-65536",
                            "set pragmas");
      !s.ok()) {
    return s;
  }
  if (found == 0) {
    const std::string create = absl::StrCat(
        "BEGIN;", kSchema, "PRAGMA user_version=", kSchemaVersion, ";COMMIT;");
    if (absl::Status s = Exec(raw, create.c_str(), "create schema"); !s.ok()) {
      sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
      return s;
    }
  }
  return store;
}

HashStore::~HashStore() { sqlite3_close_v2(db_); }

absl::Status HashStore::CheckIntegrity() {
  absl::MutexLock lock(&mu_);
  Statement check;
  if (absl::Status s = check.Prepare(db_, "PRAGMA integrity_check(20)");
      !s.ok()) {
    return s;
  }
  std::vector<std::string> findings;
  while (true) {
    absl::StatusOr<bool> row = check.Step("integrity check");
    if (!row.ok()) return row.status();
    if (!*row) break;
    findings.push_back(check.Text(0));
  }
  if (findings.size() == 1 && findings[0] == "ok") return absl::OkStatus();
  return absl::DataLossError(
      absl::StrCat("hash store ", options_.path,
                   " fails integrity_check: ", absl::StrJoin(findings, "; ")));
}

absl::StatusOr<std::optional<FeedCheckpoint>> HashStore::GetCheckpoint(
    absl::string_view feed_id) {
  absl::MutexLock lock(&mu_);
  return GetCheckpointLocked(feed_id);
}

absl::StatusOr<std::optional<FeedCheckpoint>> HashStore::GetCheckpointLocked(
    absl::string_view feed_id) {
  Statement select;
  if (absl::Status s = select.Prepare(
          db_,
          "SELECT sequence, manifest_created_at FROM feeds WHERE feed_id = ?");
      !s.ok()) {
    return s;
  }
  select.BindText(1, feed_id);
  absl::StatusOr<bool> row = select.Step("read checkpoint");
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  return FeedCheckpoint{std::string(feed_id),
                        static_cast<uint64_t>(select.Int(0)), select.Int(1)};
}

absl::StatusOr<std::vector<FeedCheckpoint>> HashStore::ListCheckpoints() {
  absl::MutexLock lock(&mu_);
  Statement select;
  if (absl::Status s = select.Prepare(
          db_,
          "SELECT feed_id, sequence, manifest_created_at FROM feeds "
          "ORDER BY feed_id");
      !s.ok()) {
    return s;
  }
  std::vector<FeedCheckpoint> checkpoints;
  while (true) {
    absl::StatusOr<bool> row = select.Step("list checkpoints");
    if (!row.ok()) return row.status();
    if (!*row) break;
    checkpoints.push_back(
        {select.Text(0), static_cast<uint64_t>(select.Int(1)), select.Int(2)});
  }
  return checkpoints;
}

absl::Status HashStore::PutCheckpointLocked(const FeedCheckpoint& checkpoint) {
  Statement upsert;
  if (absl::Status s = upsert.Prepare(
          db_,
          "INSERT INTO feeds (feed_id, sequence, manifest_created_at) "
          "VALUES (?, ?, ?) ON CONFLICT(feed_id) DO UPDATE SET "
          "sequence = excluded.sequence, "
          "manifest_created_at = excluded.manifest_created_at");
      !s.ok()) {
    return s;
  }
  upsert.BindText(1, checkpoint.feed_id);
  upsert.BindInt(2, static_cast<int64_t>(checkpoint.sequence));
  upsert.BindInt(3, checkpoint.manifest_created_at_unix_seconds);
  absl::StatusOr<bool> row = upsert.Step("write checkpoint");
  return row.ok() ? absl::OkStatus() : row.status();
}

void HashStore::ReportProgress(int64_t written) const {
  if (options_.progress && options_.progress_every > 0 &&
      written % options_.progress_every == 0) {
    options_.progress(written);
  }
}

absl::StatusOr<FeedChanges> HashStore::ApplyDelta(
    const FeedCheckpoint& checkpoint, const std::vector<FeedChange>& changes) {
  absl::MutexLock lock(&mu_);
  Transaction transaction(db_);
  if (absl::Status s = transaction.Begin(); !s.ok()) return s;
  absl::StatusOr<std::optional<FeedCheckpoint>> current =
      GetCheckpointLocked(checkpoint.feed_id);
  if (!current.ok()) return current.status();
  const uint64_t at = current->has_value() ? (*current)->sequence : 0;
  if (checkpoint.sequence <= at) return FeedChanges();  // already applied
  if (checkpoint.sequence != at + 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("feed ", checkpoint.feed_id, ": cannot apply delta ",
                     checkpoint.sequence, " on top of checkpoint ", at,
                     " (missing deltas in between)"));
  }
  Statement insert, select, update, remove;
  if (absl::Status s = insert.Prepare(
          db_,
          "INSERT INTO entries (feed_id, entry_id, hash_type, hash, bank, "
          "category, added_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT(feed_id, entry_id) DO NOTHING");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          select.Prepare(db_, absl::StrCat(kSelectEntryColumns,
                                           "WHERE feed_id = ? AND entry_id = ?")
                                  .c_str());
      !s.ok()) {
    return s;
  }
  if (absl::Status s = update.Prepare(
          db_,
          "UPDATE entries SET hash_type = ?3, hash = ?4, bank = ?5, "
          "category = ?6, added_at = ?7 WHERE feed_id = ?1 AND entry_id = ?2");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = remove.Prepare(
          db_, "DELETE FROM entries WHERE feed_id = ? AND entry_id = ?");
      !s.ok()) {
    return s;
  }
  FeedChangesBuilder result;
  int64_t written = 0;
  for (const FeedChange& change : changes) {
    const FeedEntry& entry = change.entry;
    if (change.op == FeedChange::Op::kRemove) {
      remove.BindText(1, checkpoint.feed_id);
      remove.BindText(2, entry.entry_id);
      absl::StatusOr<bool> row = remove.Step("remove entry");
      if (!row.ok()) return row.status();
      if (sqlite3_changes(db_) > 0) result.Remove(entry.entry_id);
    } else {
      if (absl::Status s =
              WriteEntry(insert, checkpoint.feed_id, entry, "insert entry");
          !s.ok()) {
        return s;
      }
      if (sqlite3_changes(db_) > 0) {
        result.Add(entry);
      } else {
        select.BindText(1, checkpoint.feed_id);
        select.BindText(2, entry.entry_id);
        absl::StatusOr<bool> row = select.Step("read entry");
        if (!row.ok()) return row.status();
        absl::StatusOr<FeedEntry> existing = ReadEntry(select);
        select.Reset();
        if (!existing.ok() || !(*existing == entry)) {
          if (absl::Status s =
                  WriteEntry(update, checkpoint.feed_id, entry, "update entry");
              !s.ok()) {
            return s;
          }
          result.Remove(entry.entry_id);
          result.Add(entry);
        }
      }
    }
    ReportProgress(++written);
  }
  if (absl::Status s = PutCheckpointLocked(checkpoint); !s.ok()) return s;
  if (absl::Status s = transaction.Commit(); !s.ok()) return s;
  return std::move(result).Build();
}

absl::StatusOr<FeedChanges> HashStore::ReplaceWithSnapshot(
    const FeedCheckpoint& checkpoint, const std::vector<FeedEntry>& entries) {
  absl::MutexLock lock(&mu_);
  Transaction transaction(db_);
  if (absl::Status s = transaction.Begin(); !s.ok()) return s;
  absl::StatusOr<std::optional<FeedCheckpoint>> current =
      GetCheckpointLocked(checkpoint.feed_id);
  if (!current.ok()) return current.status();
  if (current->has_value() && checkpoint.sequence <= (*current)->sequence) {
    return absl::FailedPreconditionError(absl::StrCat(
        "feed ", checkpoint.feed_id, ": snapshot ", checkpoint.sequence,
        " is not newer than checkpoint ", (*current)->sequence));
  }
  Statement clear, insert;
  if (absl::Status s =
          clear.Prepare(db_, "DELETE FROM entries WHERE feed_id = ?");
      !s.ok()) {
    return s;
  }
  clear.BindText(1, checkpoint.feed_id);
  if (absl::StatusOr<bool> row = clear.Step("clear feed"); !row.ok()) {
    return row.status();
  }
  if (absl::Status s = insert.Prepare(
          db_,
          "INSERT OR REPLACE INTO entries (feed_id, entry_id, hash_type, hash, "
          "bank, category, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
      !s.ok()) {
    return s;
  }
  int64_t written = 0;
  for (const FeedEntry& entry : entries) {
    if (absl::Status s =
            WriteEntry(insert, checkpoint.feed_id, entry, "insert entry");
        !s.ok()) {
      return s;
    }
    ReportProgress(++written);
  }
  if (absl::Status s = PutCheckpointLocked(checkpoint); !s.ok()) return s;
  if (absl::Status s = transaction.Commit(); !s.ok()) return s;
  FeedChanges changes;
  changes.full_reload = true;
  return changes;
}

absl::StatusOr<std::vector<FeedEntry>> HashStore::ListEntries(
    absl::string_view feed_id) {
  absl::MutexLock lock(&mu_);
  Statement select;
  const std::string sql =
      feed_id.empty()
          ? absl::StrCat(kSelectEntryColumns, "ORDER BY feed_id, entry_id")
          : absl::StrCat(kSelectEntryColumns,
                         "WHERE feed_id = ? ORDER BY entry_id");
  if (absl::Status s = select.Prepare(db_, sql.c_str()); !s.ok()) return s;
  if (!feed_id.empty()) select.BindText(1, feed_id);
  std::vector<FeedEntry> entries;
  while (true) {
    absl::StatusOr<bool> row = select.Step("list entries");
    if (!row.ok()) return row.status();
    if (!*row) break;
    absl::StatusOr<FeedEntry> entry = ReadEntry(select);
    if (!entry.ok()) return entry.status();
    entries.push_back(*std::move(entry));
  }
  return entries;
}

absl::StatusOr<int64_t> HashStore::CountEntries(absl::string_view feed_id) {
  absl::MutexLock lock(&mu_);
  Statement count;
  if (absl::Status s = count.Prepare(
          db_, feed_id.empty()
                   ? "SELECT COUNT(*) FROM entries"
                   : "SELECT COUNT(*) FROM entries WHERE feed_id = ?");
      !s.ok()) {
    return s;
  }
  if (!feed_id.empty()) count.BindText(1, feed_id);
  absl::StatusOr<bool> row = count.Step("count entries");
  if (!row.ok()) return row.status();
  return count.Int(0);
}

}  // namespace clearmatch
