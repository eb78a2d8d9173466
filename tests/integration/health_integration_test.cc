// `clearmatch health` (the probe of the container, systemd unit and
// Kubernetes manifests in deploy/) against the real daemon's gRPC health
// service, and `clearmatchd --version`.
#include <sys/wait.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::BinaryPath;
using ::clearmatch::testing::DaemonProcess;
using ::clearmatch::testing::ReferencePdqHash;
using ::clearmatch::testing::TempDir;
using ::testing::HasSubstr;

struct HealthResult {
  int code;
  std::string out, err;
};

HealthResult Health(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = cli::RunHealthCommand(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(HealthCommandTest, ServingDaemonOverTcpAndUnixSocket) {
  TempDir dir;
  const std::string csv =
      dir.Write("bank.csv", "pdq," + ReferencePdqHash("bridge-1-original.jpg") +
                                ",bridge-1,tid,ncii\n");
  DaemonProcess daemon({"--bank-csv", csv, "--data-dir", dir.path() + "/d"});
  ASSERT_TRUE(daemon.started()) << daemon.error();
  const HealthResult tcp = Health({"--addr", daemon.address()});
  EXPECT_EQ(tcp.code, cli::kExitOk) << tcp.err;
  EXPECT_EQ(tcp.out, "SERVING\n");
  const HealthResult unix_socket = Health({"--addr", daemon.unix_address()});
  EXPECT_EQ(unix_socket.code, cli::kExitOk) << unix_socket.err;
  EXPECT_EQ(unix_socket.out, "SERVING\n");
}

// A feed that cannot be fetched: the daemon runs but serves no index, so it
// is alive (--live) and not ready.
TEST(HealthCommandTest, DaemonWithoutIndexIsAliveButNotServing) {
  TempDir dir;
  const std::string pubkey =
      std::string(CLEARMATCH_SOURCE_DIR) + "/examples/demo-feed.pub.pem";
  const std::string config = dir.Write(
      "c.textproto",
      "sync_interval_seconds: 0\n"
      "feeds { url: \"http://127.0.0.1:1/feed/\" public_key_file: \"" +
          pubkey + "\" }\n");
  DaemonProcess daemon({"--config", config, "--data-dir", dir.path() + "/d"});
  ASSERT_TRUE(daemon.started()) << daemon.error() << daemon.Stderr();
  const HealthResult ready = Health({"--addr", daemon.address()});
  EXPECT_EQ(ready.code, cli::kExitInputFailed);
  EXPECT_EQ(ready.out, "NOT_SERVING\n");
  const HealthResult live = Health({"--addr", daemon.address(), "--live"});
  EXPECT_EQ(live.code, cli::kExitOk) << live.err;
  EXPECT_EQ(live.out, "NOT_SERVING\n");
}

TEST(HealthCommandTest, NoDaemonAndBadFlags) {
  TempDir dir;
  const HealthResult none = Health({"--addr", "unix:" + dir.path() + "/none",
                                    "--live", "--timeout-ms", "2000"});
  EXPECT_EQ(none.code, cli::kExitInputFailed);
  EXPECT_EQ(none.out, "");
  EXPECT_THAT(none.err, HasSubstr("clearmatch health: "));
  EXPECT_EQ(Health({"--timeout-ms", "0"}).code, cli::kExitUsage);
  EXPECT_EQ(Health({"--ready"}).code, cli::kExitUsage);
}

TEST(DaemonVersionTest, PrintsTheProjectVersion) {
  FILE* pipe =
      popen((BinaryPath("daemon/clearmatchd") + " --version").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[256];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  const int status = pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(out, "clearmatchd " CLEARMATCH_VERSION "\n");
}

}  // namespace
}  // namespace clearmatch
