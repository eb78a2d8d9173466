// The throwaway PostgreSQL cluster of the tests.
#include "testing/postgres_server.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "postgres/postgres_connection.h"

namespace clearmatch::testing {
namespace {

constexpr char kBinDir[] = "/usr/lib/postgresql/15/bin";
constexpr char kSuperuser[] = "clearmatch";

// `user`'s uid and gid, or false.
bool LookUpUser(const char* user, uid_t& uid, gid_t& gid) {
  const passwd* entry = getpwnam(user);
  if (entry == nullptr) return false;
  uid = entry->pw_uid;
  gid = entry->pw_gid;
  return true;
}

}  // namespace

bool PostgresServer::Available() {
  return std::filesystem::exists(absl::StrCat(kBinDir, "/pg_ctl")) &&
         std::filesystem::exists(absl::StrCat(kBinDir, "/initdb"));
}

PostgresServer& PostgresServer::Shared() {
  static PostgresServer* const server = [] {
    absl::StatusOr<std::unique_ptr<PostgresServer>> started = Start();
    if (!started.ok()) {
      std::fprintf(stderr, "cannot start the test PostgreSQL server: %s\n",
                   std::string(started.status().message()).c_str());
      std::abort();
    }
    PostgresServer* raw = started->release();
    std::atexit([] { delete server; });
    return raw;
  }();
  return *server;
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  if (!Available()) {
    return absl::FailedPreconditionError(
        absl::StrCat("PostgreSQL 15 is not installed (", kBinDir,
                     "): scripts/install_deps.sh installs it"));
  }
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  CM_RETURN_IF_ERROR(server->Init());
  CM_RETURN_IF_ERROR(server->Restart());
  return server;
}

absl::Status PostgresServer::Run(const std::string& command) const {
  std::string line = command;
  if (geteuid() == 0) line = absl::StrCat("runuser -u postgres -- ", command);
  absl::StrAppend(&line, " >>", dir_.File("commands.log"), " 2>&1");
  const int rc = std::system(line.c_str());
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("`", command, "` failed (", rc, "): ", Log()));
  }
  return absl::OkStatus();
}

absl::Status PostgresServer::Init() {
  if (geteuid() == 0) {
    uid_t uid = 0;
    gid_t gid = 0;
    if (!LookUpUser("postgres", uid, gid)) {
      return absl::FailedPreconditionError(
          "running as root and there is no `postgres` user to run the "
          "server as");
    }
    if (chown(dir_.path().c_str(), uid, gid) != 0) {
      return absl::InternalError(absl::StrCat("chown ", dir_.path()));
    }
  }
  return Run(absl::StrCat(kBinDir, "/initdb -D ", dir_.File("data"), " -U ",
                          kSuperuser,
                          " --auth=trust --no-sync -E UTF8 --locale=C"));
}

absl::Status PostgresServer::Restart() {
  // Unix socket in the TempDir only; no durability needed in tests.
  const std::string options =
      absl::StrCat("-k ", dir_.path(),
                   " -c listen_addresses= -c fsync=off -c full_page_writes=off"
                   " -c max_connections=100 -c shared_buffers=16MB");
  CM_RETURN_IF_ERROR(Run(absl::StrCat(kBinDir, "/pg_ctl -D ", dir_.File("data"),
                                      " -l ", dir_.File("server.log"),
                                      " -w -t 60 -o '", options, "' start")));
  running_ = true;
  return absl::OkStatus();
}

absl::Status PostgresServer::Kill() {
  CM_RETURN_IF_ERROR(Run(absl::StrCat(kBinDir, "/pg_ctl -D ", dir_.File("data"),
                                      " -w -m immediate stop")));
  running_ = false;
  return absl::OkStatus();
}

PostgresServer::~PostgresServer() {
  if (running_) Kill().IgnoreError();
}

std::string PostgresServer::Url(absl::string_view database) const {
  return absl::StrCat("postgresql://", kSuperuser, "@/", database,
                      "?host=", dir_.path());
}

absl::StatusOr<std::string> PostgresServer::CreateDatabase() {
  PostgresConnection::Options options;
  options.url = Url("postgres");
  options.label = "test server";
  CM_ASSIGN_OR_RETURN(PostgresConnection admin,
                      PostgresConnection::Open(options));
  const std::string name = absl::StrCat("test_", getpid(), "_", ++databases_);
  CM_RETURN_IF_ERROR(admin.Exec(absl::StrCat("CREATE DATABASE ", name)));
  return Url(name);
}

std::string PostgresServer::Log() const {
  std::ostringstream out;
  for (const char* name : {"commands.log", "server.log"}) {
    std::ifstream file(dir_.File(name));
    out << file.rdbuf();
  }
  return out.str();
}

}  // namespace clearmatch::testing
