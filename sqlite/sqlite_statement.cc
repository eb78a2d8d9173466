// Prepared statement: binds, steps, columns.
#include "sqlite/sqlite_statement.h"

#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "sqlite/sqlite_status.h"

namespace clearmatch {

void SqliteStatement::Finalizer::operator()(sqlite3_stmt* stmt) const {
  sqlite3_finalize(stmt);
}

void SqliteStatement::CheckBind(int rc) {
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

void SqliteStatement::BindText(int index, absl::string_view text) {
  CheckBind(sqlite3_bind_text(stmt_.get(), index, text.data(),
                              static_cast<int>(text.size()), SQLITE_TRANSIENT));
}

void SqliteStatement::BindInt(int index, int64_t value) {
  CheckBind(sqlite3_bind_int64(stmt_.get(), index, value));
}

void SqliteStatement::BindBlob(int index, absl::string_view bytes) {
  CheckBind(sqlite3_bind_blob(stmt_.get(), index, bytes.data(),
                              static_cast<int>(bytes.size()),
                              SQLITE_TRANSIENT));
}

absl::StatusOr<bool> SqliteStatement::Step() {
  if (bind_error_ != 0) {
    // The handle's message is the bind's only until the next call.
    absl::Status error = SqliteError(
        nullptr, bind_error_, label_,
        absl::StrCat("bind parameters of ", sqlite3_sql(stmt_.get())));
    Reset();
    return error;
  }
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    Reset();
    return false;
  }
  absl::Status error = SqliteError(db_, rc, label_, sqlite3_sql(stmt_.get()));
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

absl::Status SqliteStatement::ForEachRow(
    absl::FunctionRef<absl::Status(const SqliteStatement&)> row) {
  while (true) {
    absl::StatusOr<bool> more = Step();
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    if (absl::Status status = row(*this); !status.ok()) {
      Reset();
      return status;
    }
  }
}

void SqliteStatement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_error_ = 0;
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

}  // namespace clearmatch
