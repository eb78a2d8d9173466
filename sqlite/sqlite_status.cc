// SQLite result codes to absl::Status.
#include "sqlite/sqlite_status.h"

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace clearmatch {
namespace {

bool IsOutOfSpace(int system_errno) {
  return system_errno == ENOSPC || system_errno == EDQUOT ||
         system_errno == EFBIG;
}

// The cause, when the code alone says it better than SQLite's message.
absl::string_view Cause(int result_code, int system_errno) {
  switch (result_code & 0xff) {
    case SQLITE_FULL:
      return ": disk full";
    case SQLITE_IOERR:
      if (IsOutOfSpace(system_errno)) return ": disk full or file size limit";
      if (result_code != SQLITE_IOERR_WRITE) return ": I/O error";
      // SQLite often does not keep the errno of a failed write (in COMMIT).
      return system_errno == 0 ? ": I/O error writing (disk full, file size "
                                 "limit or device error)"
                               : ": I/O error writing";
    default:
      return "";
  }
}

// SQL texts can be long (a whole schema): the first line, at most 160
// bytes.
absl::string_view Shorten(absl::string_view what) {
  constexpr size_t kMaxBytes = 160;
  what = absl::StripLeadingAsciiWhitespace(what);
  const size_t newline = what.find('\n');
  return what.substr(0, std::min(newline, kMaxBytes));
}

}  // namespace

absl::StatusCode SqliteStatusCode(int result_code, int system_errno) {
  switch (result_code & 0xff) {
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return absl::StatusCode::kResourceExhausted;
    case SQLITE_IOERR:
      return IsOutOfSpace(system_errno) ? absl::StatusCode::kResourceExhausted
                                        : absl::StatusCode::kUnavailable;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CONSTRAINT:
      return absl::StatusCode::kFailedPrecondition;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::Status SqliteError(sqlite3* db, int result_code, absl::string_view label,
                         absl::string_view what) {
  // SQLite records the OS error only for these; otherwise it may be stale.
  const int primary = result_code & 0xff;
  const int system_errno =
      db != nullptr && (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN)
          ? sqlite3_system_errno(db)
          : 0;
  std::string message = absl::StrCat(
      label, ": ", Shorten(what), ": ",
      db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result_code),
      " (sqlite code ", result_code);
  if (system_errno != 0) {
    absl::StrAppend(&message, ", ", std::strerror(system_errno));
  }
  absl::StrAppend(&message, ")", Cause(result_code, system_errno));
  return absl::Status(SqliteStatusCode(result_code, system_errno), message);
}

}  // namespace clearmatch
