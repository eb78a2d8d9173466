// SqliteStatement: one prepared statement (made by SqliteConnection::Prepare)
// with typed binds and columns.
//
//   CM_ASSIGN_OR_RETURN(SqliteStatement select,
//                       db.Prepare("SELECT name FROM t WHERE id = ?"));
//   select.BindInt(1, id);
//   CM_ASSIGN_OR_RETURN(bool row, select.Step());
//   if (row) name = select.Text(0);
//
// Binds index from 1 and copy their value; columns index from 0. A bind
// that SQLite refuses (bad index, value over its size limit) is reported by
// the next Step or Run. Errors as sqlite/sqlite_status.h says.
//
// Thread-compatible: used by one thread at a time, like its connection,
// which must outlive it.
#ifndef CLEARMATCH_SQLITE_SQLITE_STATEMENT_H_
#define CLEARMATCH_SQLITE_SQLITE_STATEMENT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3;
struct sqlite3_stmt;

namespace clearmatch {

class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&&) = default;
  SqliteStatement& operator=(SqliteStatement&&) = default;

  void BindText(int index, absl::string_view text);
  void BindInt(int index, int64_t value);
  void BindBlob(int index, absl::string_view bytes);

  // true: a row is ready; false: done (the statement is reset for the next
  // binds). On error the statement is reset too.
  absl::StatusOr<bool> Step();
  // Steps to completion (for INSERT/UPDATE/DELETE).
  absl::Status Run();
  // Steps through every row, calling `row` on each; stops at the first
  // error, SQLite's or `row`'s (and resets).
  absl::Status ForEachRow(
      absl::FunctionRef<absl::Status(const SqliteStatement&)> row);
  // Ends the current execution and clears the binds.
  void Reset();

  // The column of the current row as bytes (empty for NULL).
  std::string Text(int column) const;
  int64_t Int(int column) const;
  bool IsNull(int column) const;

 private:
  friend class SqliteConnection;
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, absl::string_view label)
      : db_(db), stmt_(stmt), label_(label) {}
  void CheckBind(int rc);

  sqlite3* db_;  // not owned
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  std::string label_;   // the connection's, for messages
  int bind_error_ = 0;  // the first refused bind since the last reset
};

}  // namespace clearmatch

#endif  // CLEARMATCH_SQLITE_SQLITE_STATEMENT_H_
