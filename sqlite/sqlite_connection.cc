// Opening and configuring a SQLite database; Exec and Prepare.
#include "sqlite/sqlite_connection.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "sqlite/sqlite_statement.h"
#include "sqlite/sqlite_status.h"

namespace clearmatch {

namespace {

// Owner-only permissions for the database file, before SQLite opens it: a
// missing file is created 0600 whatever the umask; an existing one (and a
// -wal, -shm or -journal file left beside it) loses group and other
// permissions. SQLite gives the -wal, -shm and -journal files it creates
// the database file's permissions, so they are 0600 too.
absl::Status MakeDatabaseFilePrivate(const std::string& path,
                                     absl::string_view label) {
  int fd = ::open(path.c_str(),
                  O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  const bool created = fd >= 0;
  if (!created && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat(label, ": open \"", path,
                     "\": cannot create it: ", std::strerror(errno)));
  }
  if (created) {
    const int rc = ::fchmod(fd, 0600);  // the umask applied to open
    const int error = errno;
    ::close(fd);
    if (rc != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(label, ": cannot set the permissions of \"", path,
                       "\": ", std::strerror(error)));
    }
    return absl::OkStatus();
  }
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    const std::string file = absl::StrCat(path, suffix);
    struct stat st;
    if (::lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        (st.st_mode & 077) == 0) {
      continue;
    }
    if (::chmod(file.c_str(), st.st_mode & 0700) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(label, ": cannot make \"", file,
                       "\" owner-only: ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

void SqliteConnection::Closer::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}

absl::StatusOr<SqliteConnection> SqliteConnection::Open(
    const Options& options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(options.label, ": path is empty"));
  }
  if (options.busy_timeout_ms < 0 || options.max_page_count < 0 ||
      options.cache_size_kib < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        options.label,
        ": busy_timeout_ms, max_page_count and cache_size_kib must be >= 0"));
  }
  if (!options.read_only) {
    CM_RETURN_IF_ERROR(MakeDatabaseFilePrivate(options.path, options.label));
  }
  sqlite3* raw = nullptr;
  const int flags =
      (options.read_only ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(options.path.c_str(), &raw, flags, nullptr);
  SqliteConnection connection(raw, options.label);  // owns `raw` even on error
  if (rc != SQLITE_OK) {
    return SqliteError(raw, rc, options.label,
                       absl::StrCat("open \"", options.path, "\""));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  if (!options.read_only) CM_RETURN_IF_ERROR(connection.Configure(options));
  return connection;
}

absl::Status SqliteConnection::Configure(const Options& options) {
  // The first statement reads the header: DATA_LOSS for a file that is not
  // a database.
  if (options.wal) CM_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));
  CM_RETURN_IF_ERROR(Exec(options.synchronous == Synchronous::kFull
                              ? "PRAGMA synchronous=FULL"
                              : "PRAGMA synchronous=NORMAL"));
  if (options.max_page_count > 0) {
    CM_RETURN_IF_ERROR(
        Exec(absl::StrCat("PRAGMA max_page_count=", options.max_page_count)));
  }
  if (options.cache_size_kib > 0) {
    CM_RETURN_IF_ERROR(
        Exec(absl::StrCat("PRAGMA cache_size=-", options.cache_size_kib)));
  }
  return absl::OkStatus();
}

absl::Status SqliteConnection::Exec(absl::string_view sql) {
  const std::string terminated(sql);
  const int rc =
      sqlite3_exec(db_.get(), terminated.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? absl::OkStatus()
                         : SqliteError(db_.get(), rc, label_, sql);
}

absl::StatusOr<SqliteStatement> SqliteConnection::Prepare(
    absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(
      db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  SqliteStatement statement(db_.get(), stmt, label_);  // finalizes on error
  if (rc != SQLITE_OK) {
    return SqliteError(db_.get(), rc, label_, absl::StrCat("prepare ", sql));
  }
  return statement;
}

int64_t SqliteConnection::LastInsertRowid() const {
  return sqlite3_last_insert_rowid(db_.get());
}

int64_t SqliteConnection::Changes() const {
  return sqlite3_changes64(db_.get());
}

bool SqliteConnection::InTransaction() const {
  return sqlite3_get_autocommit(db_.get()) == 0;
}

absl::Status SqliteConnection::CheckIntegrity(absl::string_view path) {
  CM_ASSIGN_OR_RETURN(SqliteStatement check,
                      Prepare("PRAGMA integrity_check(20)"));
  std::vector<std::string> findings;
  CM_RETURN_IF_ERROR(check.ForEachRow([&](const SqliteStatement& row) {
    findings.push_back(row.Text(0));
    return absl::OkStatus();
  }));
  if (findings.size() == 1 && findings[0] == "ok") return absl::OkStatus();
  return absl::DataLossError(
      absl::StrCat(label_, " ", path,
                   " fails integrity_check: ", absl::StrJoin(findings, "; ")));
}

}  // namespace clearmatch
