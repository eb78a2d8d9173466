// Tests of the daemon channel flags: parsing, the TLS flag combinations,
// unreadable or malformed PEM files, and that `check`, `rescan` and `review`
// report them alike. TLS against a real daemon is covered by
// tests/integration/daemon_tls_test.cc.
#include "cli/daemon_channel.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/temp_dir.h"
#include "testing/test_pki.h"

namespace clearmatch::cli {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

using ::clearmatch::testing::TestPki;

// PEM framing around bytes that are no certificate: "is PEM", holds nothing.
constexpr char kJunkCertificate[] =
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

class DaemonChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestPki> pki = TestPki::Create(dir_.path(), "test-ca");
    ASSERT_TRUE(pki.ok()) << pki.status();
    absl::StatusOr<TestPki::Files> client =
        pki->Issue(TestPki::Client("client", "ops"));
    ASSERT_TRUE(client.ok()) << client.status();
    ca_file_ = pki->ca_file();
    client_ = *std::move(client);
  }
  std::string Write(const std::string& name, const std::string& text) {
    return dir_.Write(name, text);
  }

  const testing::TempDir dir_{"clearmatch-daemon-channel"};
  std::string ca_file_;    // a real CA certificate (PEM)
  TestPki::Files client_;  // a real client certificate and its key
};

// Runs ConsumeDaemonChannelFlag over every argument; the others are returned.
absl::StatusOr<std::vector<std::string>> ConsumeAll(
    const std::vector<std::string>& args, DaemonChannelFlags* flags) {
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::StatusOr<bool> consumed = ConsumeDaemonChannelFlag(args, &i, flags);
    if (!consumed.ok()) return consumed.status();
    if (!*consumed) rest.push_back(args[i]);
  }
  return rest;
}

TEST_F(DaemonChannelTest, ConsumesTheFourFlagsAndLeavesTheOthers) {
  DaemonChannelFlags flags;
  EXPECT_EQ(flags.addr, "127.0.0.1:50051");
  absl::StatusOr<std::vector<std::string>> rest =
      ConsumeAll({"--json", "--addr", "host:1", "--tls-ca", "ca.pem", "a.jpg",
                  "--tls-cert", "c.pem", "--tls-key", "c.key"},
                 &flags);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, (std::vector<std::string>{"--json", "a.jpg"}));
  EXPECT_EQ(flags.addr, "host:1");
  EXPECT_EQ(flags.tls_ca_file, "ca.pem");
  EXPECT_EQ(flags.tls_cert_file, "c.pem");
  EXPECT_EQ(flags.tls_key_file, "c.key");
  flags = DaemonChannelFlags();
  rest = ConsumeAll({"--json", "a.jpg", "--status", "pending"}, &flags);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, (std::vector<std::string>{"--json", "a.jpg", "--status",
                                             "pending"}));
  EXPECT_EQ(flags.addr, "127.0.0.1:50051");
  EXPECT_TRUE(flags.tls_ca_file.empty());
}

TEST_F(DaemonChannelTest, FlagWithoutValueIsAnError) {
  for (const char* flag : {"--addr", "--tls-ca", "--tls-cert", "--tls-key"}) {
    DaemonChannelFlags flags;
    absl::StatusOr<std::vector<std::string>> rest =
        ConsumeAll({"a.jpg", flag}, &flags);
    ASSERT_FALSE(rest.ok()) << flag;
    EXPECT_EQ(rest.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(rest.status().message(), std::string(flag) + " needs a value");
    rest = ConsumeAll({flag, "", "a.jpg"}, &flags);
    EXPECT_FALSE(rest.ok()) << flag << " with an empty value";
  }
}

TEST_F(DaemonChannelTest, CertAndKeyGoTogetherWithTheCa) {
  DaemonChannelFlags flags;
  EXPECT_TRUE(ValidateDaemonChannelFlags(flags).ok());
  flags.tls_ca_file = "ca.pem";
  EXPECT_TRUE(ValidateDaemonChannelFlags(flags).ok());
  flags.tls_cert_file = "c.pem";
  absl::Status status = ValidateDaemonChannelFlags(flags);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("--tls-cert needs --tls-key"));
  flags.tls_key_file = "c.key";
  EXPECT_TRUE(ValidateDaemonChannelFlags(flags).ok());
  flags.tls_cert_file.clear();
  status = ValidateDaemonChannelFlags(flags);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("--tls-key needs --tls-cert"));
  flags.tls_cert_file = "c.pem";
  flags.tls_ca_file.clear();
  status = ValidateDaemonChannelFlags(flags);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("need --tls-ca"));
  // CreateDaemonChannel checks the same before reading any file.
  EXPECT_EQ(CreateDaemonChannel(flags).status(), status);
}

TEST_F(DaemonChannelTest, PlaintextAndTlsChannelsAreCreated) {
  DaemonChannelFlags flags;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      CreateDaemonChannel(flags);
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_NE(*channel, nullptr);
  flags.tls_ca_file = ca_file_;
  channel = CreateDaemonChannel(flags);
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_NE(*channel, nullptr);
  flags.tls_cert_file = client_.cert_file;
  flags.tls_key_file = client_.key_file;
  channel = CreateDaemonChannel(flags);
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_NE(*channel, nullptr);
}

// PEM files whose blocks hold no certificate or key are refused before any
// channel exists (gRPC would take them and fail only at the first call,
// with "empty address list"), naming the flag, the file and what is missing.
TEST_F(DaemonChannelTest, JunkPemIsRefusedNamingWhatItLacks) {
  const std::string junk = Write("junk.pem", kJunkCertificate);
  const std::string truncated_key =
      Write("truncated.key", "-----BEGIN PRIVATE KEY-----\nMIIE\n");
  struct Case {
    std::string ca, cert, key;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {junk, "", "", "--tls-ca file " + junk + " holds no certificate"},
      {ca_file_, junk, client_.key_file,
       "--tls-cert file " + junk + " holds no certificate"},
      {ca_file_, client_.cert_file, truncated_key,
       "--tls-key file " + truncated_key + " holds no unencrypted private key"},
      // A certificate where the key belongs.
      {ca_file_, client_.cert_file, client_.cert_file,
       "--tls-key file " + client_.cert_file + " holds no unencrypted private"},
  };
  for (const Case& c : cases) {
    DaemonChannelFlags flags;
    flags.tls_ca_file = c.ca;
    flags.tls_cert_file = c.cert;
    flags.tls_key_file = c.key;
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        CreateDaemonChannel(flags);
    ASSERT_FALSE(channel.ok()) << c.expected;
    EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(channel.status().message(),
                AllOf(HasSubstr(c.expected), HasSubstr("OpenSSL")));
  }
}

TEST_F(DaemonChannelTest, BadPemFilesAreNamed) {
  const std::string good = ca_file_;  // a certificate, good for --tls-ca/cert
  struct Case {
    std::string path;
    absl::StatusCode code;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {dir_.File("missing.pem"), absl::StatusCode::kNotFound,
       "No such file or directory"},
      {dir_.path(), absl::StatusCode::kInvalidArgument, "cannot read"},
      {Write("empty.pem", ""), absl::StatusCode::kInvalidArgument, "is empty"},
      {Write("text.pem", "not a certificate\n"),
       absl::StatusCode::kInvalidArgument, "is not PEM"},
      {Write("big.pem", std::string(kMaxPemFileBytes + 1, 'A')),
       absl::StatusCode::kInvalidArgument, "is larger than"},
      {"/dev/zero", absl::StatusCode::kInvalidArgument, "is larger than"},
  };
  for (const Case& c : cases) {
    for (int which = 0; which < 3; ++which) {
      DaemonChannelFlags flags;
      flags.tls_ca_file = which == 0 ? c.path : good;
      flags.tls_cert_file = which == 1 ? c.path : good;
      flags.tls_key_file = which == 2 ? c.path : good;
      const std::string flag =
          which == 0 ? "--tls-ca" : (which == 1 ? "--tls-cert" : "--tls-key");
      absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
          CreateDaemonChannel(flags);
      ASSERT_FALSE(channel.ok()) << c.path << " as " << flag;
      EXPECT_EQ(channel.status().code(), c.code) << channel.status();
      EXPECT_THAT(
          channel.status().message(),
          AllOf(HasSubstr(flag + " file " + c.path), HasSubstr(c.problem)));
    }
  }
}

TEST_F(DaemonChannelTest, UnavailableCallsNameTheConnection) {
  const grpc::Status closed(grpc::StatusCode::UNAVAILABLE, "Socket closed");
  DaemonChannelFlags flags;
  flags.addr = "daemon:443";
  EXPECT_THAT(
      DaemonCallError(flags, closed),
      AllOf(HasSubstr("Socket closed"), HasSubstr("plaintext to daemon:443"),
            HasSubstr("require TLS (--tls-ca)")));
  flags.tls_ca_file = "ca.pem";
  EXPECT_THAT(DaemonCallError(flags, closed),
              AllOf(HasSubstr("TLS to daemon:443 trusting --tls-ca ca.pem"),
                    HasSubstr("require a client certificate")));
  flags.tls_cert_file = "c.pem";
  flags.tls_key_file = "c.key";
  EXPECT_THAT(DaemonCallError(flags, closed),
              AllOf(HasSubstr("with client certificate --tls-cert c.pem"),
                    HasSubstr("client CA sign the client certificate")));
  // Other failures come from the daemon itself: its message alone.
  EXPECT_EQ(
      DaemonCallError(flags, grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                          "CN moderator lacks role checker")),
      "CN moderator lacks role checker");
}

// The commands that need a role default to the unix socket of a daemon
// started here with its defaults; a failed call there names the socket.
TEST_F(DaemonChannelTest, LocalDefaultIsTheDaemonsUnixSocket) {
  const DaemonChannelFlags local = LocalDaemonChannelFlags();
  EXPECT_EQ(local.addr, "unix:./var/clearmatch/clearmatchd.sock");
  EXPECT_TRUE(local.tls_ca_file.empty());
  EXPECT_EQ(DaemonChannelFlags().addr, "127.0.0.1:50051");
  const grpc::Status refused(grpc::StatusCode::UNAVAILABLE,
                             "connect: No such file or directory");
  EXPECT_THAT(DaemonCallError(local, refused),
              AllOf(HasSubstr("No such file or directory"),
                    HasSubstr("unix socket unix:./var/clearmatch/"
                              "clearmatchd.sock: is the daemon up"),
                    HasSubstr("--addr unix:PATH")));
}

// `check`, `rescan` and `review` parse the flags alike and report the same
// problems as usage errors (exit 2) before connecting.
TEST_F(DaemonChannelTest, EveryCommandReportsTheSameErrors) {
  const std::string listing = Write("listing.csv", "a,/nonexistent.jpg\n");
  const std::string good = ca_file_;
  const std::string missing = dir_.File("missing.pem");
  struct Problem {
    std::vector<std::string> flags;
    std::string message;
  };
  const std::vector<Problem> problems = {
      {{"--tls-ca", good, "--tls-cert", good}, "--tls-cert needs --tls-key"},
      {{"--tls-cert", good, "--tls-key", good},
       "--tls-cert and --tls-key need --tls-ca"},
      {{"--addr", "127.0.0.1:1", "--tls-ca", missing},
       "cannot read --tls-ca file " + missing},
      {{"--addr", "unix:" + dir_.File("d.sock"), "--tls-ca", good},
       "--tls-ca: unix:" + dir_.File("d.sock") +
           " is a unix socket, which clearmatchd serves in plaintext"},
  };
  using Run =
      int (*)(const std::vector<std::string>&, std::ostream&, std::ostream&);
  struct Command {
    const char* name;
    Run run;
    std::vector<std::string> args;
    const char* usage;
  };
  // review calls Review: its default address is the local unix socket.
  const std::vector<Command> commands = {
      {"check", RunCheckCommand, {"/nonexistent.jpg"}, kDaemonChannelUsage},
      {"rescan", RunRescanCommand, {"--listing", listing}, kDaemonChannelUsage},
      {"review", RunReviewCommand, {"list"}, kLocalDaemonChannelUsage},
  };
  for (const Command& command : commands) {
    for (const Problem& problem : problems) {
      std::vector<std::string> args = command.args;
      args.insert(args.end(), problem.flags.begin(), problem.flags.end());
      std::ostringstream out, err;
      EXPECT_EQ(command.run(args, out, err), 2) << command.name;
      EXPECT_THAT(err.str(), HasSubstr(std::string("clearmatch ") +
                                       command.name + ": " + problem.message))
          << command.name;
    }
    std::vector<std::string> args = command.args;
    args.push_back("--tls-key");
    std::ostringstream out, err;
    EXPECT_EQ(command.run(args, out, err), 2) << command.name;
    EXPECT_THAT(err.str(), AllOf(HasSubstr("--tls-key needs a value"),
                                 HasSubstr(command.usage)))
        << command.name;
  }
}

}  // namespace
}  // namespace clearmatch::cli
