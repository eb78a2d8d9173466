// PostgresServer: a throwaway PostgreSQL 15 cluster for tests: initdb and
// pg_ctl of /usr/lib/postgresql/15/bin in a TempDir (run as the `postgres`
// user when the test runs as root: initdb refuses root), listening on a
// unix socket in that directory only, trusted local logins of the
// superuser "clearmatch", stopped and removed when the object goes.
//
//   PostgresServer& server = PostgresServer::Shared();  // one per process
//   absl::StatusOr<std::string> url = server.CreateDatabase();  // fresh
//   ... PostgresReviewStore::Options options; options.url = *url; ...
//   server.Kill();     // immediate shutdown, as a crash: no checkpoint
//   server.Restart();  // crash recovery; the data is back
//
// Starting a cluster takes a second or two, so a test binary shares one
// (Shared) and each test takes a fresh database. Thread-compatible.
#ifndef CLEARMATCH_TESTING_POSTGRES_SERVER_H_
#define CLEARMATCH_TESTING_POSTGRES_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "testing/temp_dir.h"

namespace clearmatch::testing {

class PostgresServer {
 public:
  // Whether PostgreSQL 15's server programs are installed.
  static bool Available();
  // The process's server, started at the first call; stopped at exit.
  // Aborts the test binary (with the server's log) if it cannot start.
  static PostgresServer& Shared();
  // A server of its own (a test that kills and restarts it).
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start();
  ~PostgresServer();  // stops the server (immediate), removes the files
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Creates an empty database with a new name; returns its URL.
  absl::StatusOr<std::string> CreateDatabase();
  // The URL of `database` (a libpq URL naming the socket directory).
  std::string Url(absl::string_view database) const;
  // Shuts the server down without a checkpoint (pg_ctl -m immediate: every
  // connection drops at once, as when the server is killed).
  absl::Status Kill();
  // Starts the stopped server again on the same data.
  absl::Status Restart();
  bool running() const { return running_; }
  // The server's log (for a failure message).
  std::string Log() const;

 private:
  PostgresServer() = default;
  absl::Status Init();
  // Runs a server program (as `postgres` if we are root).
  absl::Status Run(const std::string& command) const;

  TempDir dir_{"clearmatch-pg"};
  bool running_ = false;
  int databases_ = 0;
};

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_POSTGRES_SERVER_H_
