// BEGIN IMMEDIATE / COMMIT / ROLLBACK.
#include "sqlite/sqlite_transaction.h"

namespace clearmatch {

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
  // A failed COMMIT may leave the transaction open: the destructor rolls it
  // back.
  if (status.ok() || !db_.InTransaction()) open_ = false;
  return status;
}

}  // namespace clearmatch
