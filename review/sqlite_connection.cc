// SQLite connection, statement and transaction wrappers.
#include "review/sqlite_connection.h"

#include <sqlite3.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace clearmatch::review_internal {

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what) {
  std::string message =
      absl::StrCat("review store: ", what, ": ",
                   db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
                   " (sqlite code ", rc);
  const int system_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
  if (system_errno != 0)
    absl::StrAppend(&message, ", ", strerror(system_errno));
  message.push_back(')');
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(absl::StrCat(message, ": disk full"));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
      return absl::UnavailableError(message);
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CONSTRAINT:
      return absl::FailedPreconditionError(message);
    default:
      return absl::InternalError(message);
  }
}

void SqliteStatement::Finalizer::operator()(sqlite3_stmt* stmt) const {
  sqlite3_finalize(stmt);
}

void SqliteStatement::BindText(int index, absl::string_view text) {
  sqlite3_bind_text(stmt_.get(), index, text.data(),
                    static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void SqliteStatement::BindInt(int index, int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
}

void SqliteStatement::BindBlob(int index, absl::string_view bytes) {
  sqlite3_bind_blob(stmt_.get(), index, bytes.data(),
                    static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

absl::StatusOr<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    Reset();
    return false;
  }
  absl::Status error = SqliteError(db_, rc, sqlite3_sql(stmt_.get()));
  Reset();
  return error;
}

absl::Status SqliteStatement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string SqliteStatement::Text(int column) const {
  const void* data = sqlite3_column_blob(stmt_.get(), column);
  if (data == nullptr) return std::string();
  return std::string(static_cast<const char*>(data),
                     sqlite3_column_bytes(stmt_.get(), column));
}

int64_t SqliteStatement::Int(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

void SqliteConnection::Closer::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}

absl::StatusOr<SqliteConnection> SqliteConnection::Open(const std::string& path,
                                                        bool read_write) {
  sqlite3* raw = nullptr;
  const int flags = (read_write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                : SQLITE_OPEN_READONLY) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteConnection connection(raw);  // owns `raw` even when the open failed
  if (rc != SQLITE_OK) {
    return SqliteError(raw, rc, absl::StrCat("open \"", path, "\""));
  }
  sqlite3_extended_result_codes(raw, 1);
  // Another process (verify-audit, a second opener) may hold a lock briefly.
  sqlite3_busy_timeout(raw, 5000);
  return connection;
}

absl::Status SqliteConnection::Exec(const char* sql) {
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? absl::OkStatus() : SqliteError(db_.get(), rc, sql);
}

absl::StatusOr<SqliteStatement> SqliteConnection::Prepare(
    absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(
      db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  SqliteStatement statement(db_.get(), stmt);
  if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, "prepare");
  return statement;
}

int64_t SqliteConnection::LastInsertRowid() const {
  return sqlite3_last_insert_rowid(db_.get());
}

int64_t SqliteConnection::Changes() const {
  return sqlite3_changes64(db_.get());
}

SqliteTransaction::~SqliteTransaction() {
  if (open_) db_.Exec("ROLLBACK").IgnoreError();
}

absl::Status SqliteTransaction::Begin() {
  absl::Status status = db_.Exec("BEGIN IMMEDIATE");
  open_ = status.ok();
  return status;
}

absl::Status SqliteTransaction::Commit() {
  absl::Status status = db_.Exec("COMMIT");
  // A failed COMMIT (disk full) may leave the transaction open: the
  // destructor rolls it back.
  if (status.ok() || sqlite3_get_autocommit(db_.get())) open_ = false;
  return status;
}

}  // namespace clearmatch::review_internal
