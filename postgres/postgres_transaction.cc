// BEGIN / COMMIT / ROLLBACK.
#include "postgres/postgres_transaction.h"

namespace clearmatch {

PostgresTransaction::~PostgresTransaction() {
  if (!open_) return;
  db_.in_transaction_ = false;
  if (db_.ok()) db_.Exec("ROLLBACK").IgnoreError();
}

absl::Status PostgresTransaction::Begin(absl::string_view begin) {
  absl::Status status = db_.Exec(begin);  // reconnects if it must
  if (!status.ok()) return status;
  open_ = true;
  db_.in_transaction_ = true;
  return absl::OkStatus();
}

absl::Status PostgresTransaction::Commit() {
  // Still in the transaction: a lost connection is not replaced by one
  // where COMMIT would succeed with nothing to commit.
  absl::Status status = db_.Exec("COMMIT");
  open_ = false;
  db_.in_transaction_ = false;
  return status;
}

}  // namespace clearmatch
