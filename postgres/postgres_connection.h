// PostgresConnection: one libpq connection to a PostgreSQL server, with
// libpq's errors mapped to absl::Status once (a lost or refused connection
// is UNAVAILABLE) and a reconnect before the next statement when the
// connection broke.
//
//   PostgresConnection::Options options;
//   options.url = "postgresql://clearmatch@db.internal/clearmatch";
//   options.label = "review store";
//   CM_ASSIGN_OR_RETURN(PostgresConnection db,
//                       PostgresConnection::Open(options));
//   CM_ASSIGN_OR_RETURN(PostgresResult rows,
//       db.Query("SELECT id FROM matches WHERE id < $1::bigint", {before}));
//
// The URL (or "key=value" connection string) may carry a password; it never
// appears in a message (RedactDatabaseUrl). A password file (libpq's
// passfile, also $PGPASSFILE) keeps it out of the URL altogether.
// Thread-compatible: a connection is used by one thread at a time.
#ifndef CLEARMATCH_POSTGRES_POSTGRES_CONNECTION_H_
#define CLEARMATCH_POSTGRES_POSTGRES_CONNECTION_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "postgres/postgres_param.h"
#include "postgres/postgres_result.h"

struct pg_conn;

namespace clearmatch {

class PostgresConnection {
 public:
  struct Options {
    // "postgresql://user@host:port/dbname?..." or "host=... dbname=...".
    std::string url;
    // A libpq password file ("host:port:db:user:password" lines); empty:
    // libpq's default ($PGPASSFILE, else ~/.pgpass).
    std::string password_file;
    // Names the database in error messages ("review store: ...").
    std::string label = "postgresql";
    absl::Duration connect_timeout = absl::Seconds(5);
  };

  // Connects. INVALID_ARGUMENT for a malformed URL; UNAVAILABLE when the
  // server cannot be reached or refuses the login.
  static absl::StatusOr<PostgresConnection> Open(Options options);
  ~PostgresConnection();
  PostgresConnection(PostgresConnection&& other) noexcept;
  PostgresConnection& operator=(PostgresConnection&& other) noexcept;

  // Runs `sql` (one or more statements, no parameters).
  absl::Status Exec(absl::string_view sql);
  // Runs one statement with $1, $2... bound to `params` (text, or bytea).
  // Reconnects first if the connection broke earlier (not inside a
  // transaction: the caller's BEGIN is lost with the connection, so the
  // reconnect happens at the next BEGIN or single statement).
  absl::StatusOr<PostgresResult> Query(
      absl::string_view sql, const std::vector<PostgresParam>& params = {});

  // The socket to wait on for notifications (LISTEN); -1 when broken.
  int socket() const;
  // Reads what arrived on the socket and returns the channels of the
  // notifications received since the last call. UNAVAILABLE when the
  // connection is lost.
  absl::StatusOr<std::vector<std::string>> TakeNotifications();
  // Whether the connection is up as far as libpq knows.
  bool ok() const;
  // Whether a transaction is open on the connection (BEGIN without its
  // COMMIT or ROLLBACK).
  bool in_transaction() const { return in_transaction_; }

 private:
  friend class PostgresTransaction;  // keeps in_transaction_

  struct Closer {
    void operator()(pg_conn* conn) const;
  };
  PostgresConnection(Options options, std::unique_ptr<pg_conn, Closer> conn);
  // Connects afresh if the connection is broken.
  absl::Status Reconnect();
  // The error of the last command or of the connection.
  absl::Status LastError(absl::string_view what, const char* sqlstate) const;
  // `result`, or the error it reports.
  absl::StatusOr<PostgresResult> CheckResult(PostgresResult result,
                                             absl::string_view what) const;

  Options options_;
  std::unique_ptr<pg_conn, Closer> conn_;
  // Set between BEGIN and its end: a connection lost meanwhile is not
  // silently replaced (the statements after it would run outside the
  // transaction).
  bool in_transaction_ = false;
};

// `url` with any password replaced by "***" (in the user-info part of a
// URL, a "password=" query parameter or a "password=" keyword).
std::string RedactDatabaseUrl(absl::string_view url);

}  // namespace clearmatch

#endif  // CLEARMATCH_POSTGRES_POSTGRES_CONNECTION_H_
