// The one mapping from SQLite result codes to absl::Status, used by every
// SQLite call in the code base (sqlite/sqlite_connection.h and friends).
//
//   SQLite result (primary code)            absl::StatusCode
//   SQLITE_FULL                             RESOURCE_EXHAUSTED ("disk full";
//                                           also max_page_count reached)
//   SQLITE_IOERR with errno ENOSPC, EDQUOT  RESOURCE_EXHAUSTED ("disk full or
//     or EFBIG (file size limit)            file size limit")
//   SQLITE_NOMEM, SQLITE_TOOBIG             RESOURCE_EXHAUSTED (a limit)
//   SQLITE_IOERR (any other errno)          UNAVAILABLE (device error; also
//                                           a full disk or file size limit
//                                           when SQLite kept no errno, as in
//                                           a failed COMMIT: the message
//                                           says so)
//   SQLITE_BUSY, SQLITE_LOCKED              UNAVAILABLE (another connection
//                                           holds the lock; retry)
//   SQLITE_CORRUPT, SQLITE_NOTADB           DATA_LOSS (damaged file, or not a
//                                           database)
//   SQLITE_CANTOPEN, SQLITE_READONLY,       FAILED_PRECONDITION (the file or
//   SQLITE_PERM                             its directory is missing, not
//                                           writable or not permitted: the
//                                           system is not in the state the
//                                           call needs; NOT_FOUND would hide
//                                           the permission cases)
//   SQLITE_CONSTRAINT                       FAILED_PRECONDITION (the stored
//                                           rows refuse the write: a unique
//                                           key, an append-only trigger)
//   anything else (SQLITE_ERROR, MISUSE,    INTERNAL (a bug in our SQL or in
//   RANGE, SCHEMA...)                       the use of the API)
//
// Messages: "<label>: <what>: <SQLite's message> (sqlite code N[, strerror])"
// plus ": disk full" or the like where that is the cause.
#ifndef CLEARMATCH_SQLITE_SQLITE_STATUS_H_
#define CLEARMATCH_SQLITE_SQLITE_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

struct sqlite3;

namespace clearmatch {

// The status code for an (extended) SQLite result code and the OS error
// SQLite saw (0 if none). Pure; the table above.
absl::StatusCode SqliteStatusCode(int result_code, int system_errno);

// The status for a failed call on `db` (nullptr when there is no handle):
// the code above, with SQLite's message and the OS error. `label` names the
// database ("hash store"), `what` the operation (an SQL text is shortened).
absl::Status SqliteError(sqlite3* db, int result_code, absl::string_view label,
                         absl::string_view what);

}  // namespace clearmatch

#endif  // CLEARMATCH_SQLITE_SQLITE_STATUS_H_
