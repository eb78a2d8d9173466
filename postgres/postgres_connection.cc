// libpq connections, statements, notifications and error mapping.
#include "postgres/postgres_connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

// The canonical code of a statement's SQLSTATE.
absl::StatusCode CodeOf(absl::string_view sqlstate) {
  if (absl::StartsWith(sqlstate, "08") || absl::StartsWith(sqlstate, "57P")) {
    return absl::StatusCode::kUnavailable;  // connection, shutdown
  }
  if (absl::StartsWith(sqlstate, "53")) {
    return absl::StatusCode::kResourceExhausted;  // disk full, memory
  }
  if (absl::StartsWith(sqlstate, "40")) return absl::StatusCode::kAborted;
  if (sqlstate == "23505") return absl::StatusCode::kAlreadyExists;
  if (absl::StartsWith(sqlstate, "23") || sqlstate == "P0001" ||
      sqlstate == "25006") {
    return absl::StatusCode::kFailedPrecondition;  // constraint, trigger
  }
  return absl::StatusCode::kInternal;
}

std::string Trimmed(const char* message) {
  return std::string(
      absl::StripTrailingAsciiWhitespace(message == nullptr ? "" : message));
}

// Redacts "password=VALUE" (a keyword or a query parameter) in place.
void RedactPasswordKeyword(std::string& text) {
  size_t at = 0;
  while ((at = absl::AsciiStrToLower(text).find("password=", at)) !=
         std::string::npos) {
    const size_t start = at + 9;
    size_t end = text.find_first_of(" &", start);
    if (end == std::string::npos) end = text.size();
    text.replace(start, end - start, "***");
    at = start + 3;
  }
}

}  // namespace

std::string RedactDatabaseUrl(absl::string_view url) {
  std::string out(url);
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t host_start = scheme + 3;
    size_t authority_end = out.find_first_of("/?", host_start);
    if (authority_end == std::string::npos) authority_end = out.size();
    const size_t at = out.rfind('@', authority_end);
    if (at != std::string::npos && at > host_start) {
      const size_t colon = out.find(':', host_start);
      if (colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, "***");
      }
    }
  }
  RedactPasswordKeyword(out);
  return out;
}

void PostgresConnection::Closer::operator()(pg_conn* conn) const {
  PQfinish(conn);
}

PostgresConnection::PostgresConnection(Options options,
                                       std::unique_ptr<pg_conn, Closer> conn)
    : options_(std::move(options)), conn_(std::move(conn)) {}

PostgresConnection::~PostgresConnection() = default;
PostgresConnection::PostgresConnection(PostgresConnection&& other) noexcept =
    default;
PostgresConnection& PostgresConnection::operator=(
    PostgresConnection&& other) noexcept = default;

absl::StatusOr<PostgresConnection> PostgresConnection::Open(Options options) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.url.c_str(), &parse_error);
  PQfreemem(parse_error);  // it may quote the password: never shown
  if (parsed == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(options.label, ": the database URL \"",
                     RedactDatabaseUrl(options.url), "\" is malformed"));
  }
  PQconninfoFree(parsed);
  const std::string timeout = absl::StrCat(
      std::max<int64_t>(1, absl::ToInt64Seconds(options.connect_timeout)));
  std::vector<const char*> keys = {"dbname", "connect_timeout",
                                   "application_name"};
  std::vector<const char*> values = {options.url.c_str(), timeout.c_str(),
                                     "clearmatch"};
  if (!options.password_file.empty()) {
    keys.push_back("passfile");
    values.push_back(options.password_file.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  std::unique_ptr<pg_conn, Closer> conn(
      PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1));
  if (conn == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat(options.label, ": out of memory connecting"));
  }
  // Notices (a server's warning that it shuts down) are not errors; libpq
  // would print them on stderr.
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  PostgresConnection db(std::move(options), std::move(conn));
  if (PQstatus(db.conn_.get()) != CONNECTION_OK) {
    return db.LastError("connect", nullptr);
  }
  return db;
}

absl::Status PostgresConnection::LastError(absl::string_view what,
                                           const char* sqlstate) const {
  const std::string message = Trimmed(PQerrorMessage(conn_.get()));
  if (PQstatus(conn_.get()) != CONNECTION_OK || sqlstate == nullptr) {
    return absl::UnavailableError(
        absl::StrCat(options_.label, ": the database is unavailable (", what,
                     " of ", RedactDatabaseUrl(options_.url), "): ", message));
  }
  return absl::Status(CodeOf(sqlstate),
                      absl::StrCat(options_.label, ": ", what, ": ", message,
                                   " (SQLSTATE ", sqlstate, ")"));
}

absl::Status PostgresConnection::Reconnect() {
  if (PQstatus(conn_.get()) == CONNECTION_OK) return absl::OkStatus();
  if (in_transaction_) {
    return absl::UnavailableError(absl::StrCat(
        options_.label, ": the connection was lost inside a transaction"));
  }
  PQreset(conn_.get());
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    return LastError("reconnect", nullptr);
  }
  return absl::OkStatus();
}

absl::Status PostgresConnection::Exec(absl::string_view sql) {
  CM_RETURN_IF_ERROR(Reconnect());
  const std::string text(sql);
  PostgresResult result(PQexec(conn_.get(), text.c_str()));
  return CheckResult(std::move(result), "statement").status();
}

absl::StatusOr<PostgresResult> PostgresConnection::Query(
    absl::string_view sql, const std::vector<PostgresParam>& params) {
  CM_RETURN_IF_ERROR(Reconnect());
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const PostgresParam& param : params) {
    values.push_back(param.value().data());
    lengths.push_back(static_cast<int>(param.value().size()));
    formats.push_back(param.binary() ? 1 : 0);
  }
  const std::string text(sql);
  PostgresResult result(PQexecParams(
      conn_.get(), text.c_str(), static_cast<int>(params.size()),
      /*paramTypes=*/nullptr, values.data(), lengths.data(), formats.data(),
      /*resultFormat=*/0));
  return CheckResult(std::move(result), "query");
}

absl::StatusOr<PostgresResult> PostgresConnection::CheckResult(
    PostgresResult result, absl::string_view what) const {
  if (result.succeeded()) return result;
  return LastError(what, result.sqlstate());
}

int PostgresConnection::socket() const { return PQsocket(conn_.get()); }

bool PostgresConnection::ok() const {
  return PQstatus(conn_.get()) == CONNECTION_OK;
}

absl::StatusOr<std::vector<std::string>>
PostgresConnection::TakeNotifications() {
  if (PQconsumeInput(conn_.get()) == 0 || !ok()) {
    return LastError("waiting for notifications", nullptr);
  }
  std::vector<std::string> channels;
  while (PGnotify* notify = PQnotifies(conn_.get())) {
    channels.emplace_back(notify->relname);
    PQfreemem(notify);
  }
  return channels;
}

}  // namespace clearmatch
