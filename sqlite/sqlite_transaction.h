// SqliteTransaction: BEGIN IMMEDIATE ... COMMIT on a SqliteConnection,
// rolled back by the destructor unless committed.
//
//   SqliteTransaction transaction(db);
//   CM_RETURN_IF_ERROR(transaction.Begin());
//   CM_RETURN_IF_ERROR(insert.Run());      // an error returns: rolled back
//   CM_RETURN_IF_ERROR(transaction.Commit());
//
// IMMEDIATE takes the write lock at Begin, so a busy database fails there
// (UNAVAILABLE after the busy timeout) and not half-way through. Borrows the
// connection, which must outlive it; thread-compatible like the connection.
#ifndef CLEARMATCH_SQLITE_SQLITE_TRANSACTION_H_
#define CLEARMATCH_SQLITE_SQLITE_TRANSACTION_H_

#include "absl/status/status.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch {

class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteConnection& db) : db_(db) {}
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  absl::Status Begin();
  // A failed COMMIT (disk full) leaves nothing applied: SQLite rolled back,
  // or the destructor does.
  absl::Status Commit();

 private:
  SqliteConnection& db_;
  bool open_ = false;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_SQLITE_SQLITE_TRANSACTION_H_
