// PostgresTransaction: BEGIN ... COMMIT on a PostgresConnection, rolled back
// by the destructor unless committed.
//
//   PostgresTransaction transaction(db);
//   CM_RETURN_IF_ERROR(transaction.Begin());
//   CM_RETURN_IF_ERROR(db.Query("INSERT ...", {...}).status());
//   CM_RETURN_IF_ERROR(transaction.Commit());
//
// READ COMMITTED (PostgreSQL's default); statements that need more take
// row or table locks. Borrows the connection, which must outlive it;
// thread-compatible like the connection.
#ifndef CLEARMATCH_POSTGRES_POSTGRES_TRANSACTION_H_
#define CLEARMATCH_POSTGRES_POSTGRES_TRANSACTION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "postgres/postgres_connection.h"

namespace clearmatch {

class PostgresTransaction {
 public:
  explicit PostgresTransaction(PostgresConnection& db) : db_(db) {}
  ~PostgresTransaction();
  PostgresTransaction(const PostgresTransaction&) = delete;
  PostgresTransaction& operator=(const PostgresTransaction&) = delete;

  // `begin` may add modes: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY".
  absl::Status Begin(absl::string_view begin = "BEGIN");
  // UNAVAILABLE when the connection was lost: the outcome is then unknown
  // to the caller (PostgreSQL committed or rolled back as a whole).
  absl::Status Commit();

 private:
  PostgresConnection& db_;
  bool open_ = false;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_POSTGRES_POSTGRES_TRANSACTION_H_
