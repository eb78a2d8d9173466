// The mapping of SQLite result codes to absl::Status (sqlite_status.h).
#include "sqlite/sqlite_status.h"

#include <sqlite3.h>

#include <cerrno>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

TEST(SqliteStatusCodeTest, EachResultHasTheDocumentedCode) {
  struct Case {
    int result_code;
    int system_errno;
    absl::StatusCode expected;
  };
  for (const Case& c : {
           Case{SQLITE_FULL, 0, absl::StatusCode::kResourceExhausted},
           Case{SQLITE_IOERR_WRITE, ENOSPC,
                absl::StatusCode::kResourceExhausted},
           Case{SQLITE_IOERR_WRITE, EFBIG,
                absl::StatusCode::kResourceExhausted},
           Case{SQLITE_IOERR_FSYNC, EDQUOT,
                absl::StatusCode::kResourceExhausted},
           Case{SQLITE_NOMEM, 0, absl::StatusCode::kResourceExhausted},
           Case{SQLITE_TOOBIG, 0, absl::StatusCode::kResourceExhausted},
           Case{SQLITE_IOERR_WRITE, EIO, absl::StatusCode::kUnavailable},
           Case{SQLITE_IOERR_READ, 0, absl::StatusCode::kUnavailable},
           Case{SQLITE_BUSY, 0, absl::StatusCode::kUnavailable},
           Case{SQLITE_BUSY_SNAPSHOT, 0, absl::StatusCode::kUnavailable},
           Case{SQLITE_LOCKED, 0, absl::StatusCode::kUnavailable},
           Case{SQLITE_CORRUPT, 0, absl::StatusCode::kDataLoss},
           Case{SQLITE_NOTADB, 0, absl::StatusCode::kDataLoss},
           Case{SQLITE_CANTOPEN, ENOENT, absl::StatusCode::kFailedPrecondition},
           Case{SQLITE_READONLY, 0, absl::StatusCode::kFailedPrecondition},
           Case{SQLITE_PERM, 0, absl::StatusCode::kFailedPrecondition},
           Case{SQLITE_CONSTRAINT_UNIQUE, 0,
                absl::StatusCode::kFailedPrecondition},
           Case{SQLITE_CONSTRAINT_TRIGGER, 0,
                absl::StatusCode::kFailedPrecondition},
           Case{SQLITE_ERROR, 0, absl::StatusCode::kInternal},
           Case{SQLITE_MISUSE, 0, absl::StatusCode::kInternal},
           Case{SQLITE_RANGE, 0, absl::StatusCode::kInternal},
       }) {
    SCOPED_TRACE(sqlite3_errstr(c.result_code));
    EXPECT_EQ(SqliteStatusCode(c.result_code, c.system_errno), c.expected);
  }
}

TEST(SqliteErrorTest, MessageNamesTheDatabaseTheCallAndTheCause) {
  const absl::Status full =
      SqliteError(nullptr, SQLITE_FULL, "hash store", "insert entry");
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("hash store: insert entry: "));
  EXPECT_THAT(full.message(), HasSubstr("(sqlite code 13)"));
  EXPECT_THAT(full.message(), HasSubstr("disk full"));
}

TEST(SqliteErrorTest, WriteErrorWithoutErrnoNamesThePossibleCauses) {
  const absl::Status error =
      SqliteError(nullptr, SQLITE_IOERR_WRITE, "hash store", "COMMIT");
  EXPECT_EQ(error.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(error.message(), HasSubstr("I/O error writing (disk full, file "
                                         "size limit or device error)"));
}

TEST(SqliteErrorTest, LongSqlIsShortenedToItsFirstLine) {
  const absl::Status error = SqliteError(
      nullptr, SQLITE_ERROR, "review store",
      "\nCREATE TABLE a (x);\nCREATE TABLE b (y);\nCREATE TABLE c (z);");
  EXPECT_THAT(error.message(), HasSubstr("review store: CREATE TABLE a (x);:"));
  EXPECT_THAT(error.message(), ::testing::Not(HasSubstr("TABLE b")));
}

}  // namespace
}  // namespace clearmatch
