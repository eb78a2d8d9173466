// TLS and mTLS of the real clearmatchd process, with a CA, server and client
// certificates made inside the test (test_pki.h): plaintext only on loopback,
// TLS clients must trust the server's CA, mTLS clients need a certificate of
// the configured CA, and the certificate's common name maps to roles
// (checker: Matcher, admin: Admin, reviewer: Review; docs/DAEMON.md).
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "clearmatch/v1/admin.grpc.pb.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "clearmatch/v1/review.grpc.pb.h"
#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/daemon_process.h"
#include "testing/feed_fixtures.h"
#include "testing/temp_dir.h"
#include "testing/test_pki.h"
#include "testing/testdata.h"
#include "testing/tls_http_server.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::AddRecord;
using ::clearmatch::testing::BinaryPath;
using ::clearmatch::testing::CreateTestFeed;
using ::clearmatch::testing::DaemonProcess;
using ::clearmatch::testing::ReferencePdqHash;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::clearmatch::testing::TestFeed;
using ::clearmatch::testing::TestPki;
using ::clearmatch::testing::TlsHttpServer;
using ::clearmatch::testing::WriteFile;
using ::testing::AllOf;
using ::testing::HasSubstr;

struct Exit {
  int code = -1;  // exit code; -1: did not exit within the time limit
  std::string stderr_text;
};

// Runs clearmatchd with `args` and waits (at most 20 s) for it to exit.
Exit RunDaemonUntilExit(const std::vector<std::string>& args) {
  std::vector<std::string> argv_strings = {BinaryPath("daemon/clearmatchd")};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  int err[2];
  if (pipe(err) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(err[1], 2);
    close(err[0]);
    close(err[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(err[1]);
  Exit exit;
  bool closed = false;  // stderr closed: the process is exiting
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!closed && std::chrono::steady_clock::now() < give_up) {
    pollfd p{err[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buffer[1024];
    const ssize_t n = read(err[0], buffer, sizeof(buffer));
    if (n <= 0) {
      closed = true;
    } else {
      exit.stderr_text.append(buffer, static_cast<size_t>(n));
    }
  }
  close(err[0]);
  if (!closed) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!closed) return exit;
  if (WIFEXITED(status)) exit.code = WEXITSTATUS(status);
  return exit;
}

class DaemonTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bridge_hash_ = ReferencePdqHash("bridge-1-original.jpg");
    ASSERT_EQ(bridge_hash_.size(), 64u);
    dir_.Write("bank.csv", "pdq," + bridge_hash_ + ",bridge-1,tid,ncii\n");
    auto pki = TestPki::Create(dir_.path(), "clearmatch-test-ca");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<TestPki>(*std::move(pki));
    auto server = pki_->Issue(TestPki::Server("server"));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // Arguments for a daemon on the bank CSV with `config` (text format) added.
  std::vector<std::string> DaemonArgs(const std::string& config) {
    const std::string path = dir_.File("clearmatchd.textproto");
    WriteFile(path,
              "bank_csvs { path: \"bank.csv\" bank: \"tid\" }\n" + config);
    return {"--config", path, "--data-dir", dir_.File("data")};
  }

  // tls { ... } with the server certificate and `more` inside.
  std::string TlsConfig(const std::string& more = "") const {
    return "tls { cert_file: \"" + server_.cert_file + "\" key_file: \"" +
           server_.key_file + "\" " + more + "}\n";
  }

  void Start(const std::vector<std::string>& args) {
    daemon_ = std::make_unique<DaemonProcess>(args);
    ASSERT_TRUE(daemon_->started()) << daemon_->error();
  }

  // A TLS channel to the daemon trusting `ca_pem`, presenting `client`.
  std::shared_ptr<grpc::Channel> TlsChannel(
      const std::string& ca_pem,
      const std::optional<TestPki::Files>& client = std::nullopt) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ca_pem;
    if (client.has_value()) {
      options.pem_private_key = client->key_pem;
      options.pem_cert_chain = client->cert_pem;
    }
    return grpc::CreateChannel(daemon_->address(),
                               grpc::SslCredentials(options));
  }

  // A client certificate of the test CA with common name `cn`.
  TestPki::Files ClientCert(const std::string& cn) {
    auto files = pki_->Issue(TestPki::Client("client-" + cn, cn));
    EXPECT_TRUE(files.ok()) << files.status();
    return files.ok() ? *files : TestPki::Files{};
  }

  static void SetDeadline(grpc::ClientContext* context) {
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(10));
  }

  // A hash-only Check of the bank's own reference hash.
  grpc::Status Check(const std::shared_ptr<grpc::Channel>& channel,
                     v1::CheckResponse* response) {
    v1::CheckRequest request;
    request.set_content_id("bridge-1");
    request.set_context(v1::UPLOAD);
    v1::PdqHashValue* pdq = request.mutable_hashes()->add_pdq();
    pdq->set_hash(bridge_hash_);
    pdq->set_quality(100);
    grpc::ClientContext context;
    SetDeadline(&context);
    return v1::Matcher::NewStub(channel)->Check(&context, request, response);
  }

  grpc::Status CheckStatus(const std::shared_ptr<grpc::Channel>& channel) {
    v1::CheckResponse response;
    return Check(channel, &response);
  }

  // Check answers with the match of the bank entry.
  void ExpectBlocked(const std::shared_ptr<grpc::Channel>& channel) {
    v1::CheckResponse response;
    const grpc::Status status = Check(channel, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.decision(), v1::BLOCK);
    ASSERT_EQ(response.matches_size(), 1);
    EXPECT_EQ(response.matches(0).entry_id(), "bridge-1");
    EXPECT_EQ(response.matches(0).distance(), 0);
  }

  grpc::Status SyncFeeds(const std::shared_ptr<grpc::Channel>& channel) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::SyncFeedsResponse response;
    return v1::Admin::NewStub(channel)->SyncFeeds(
        &context, v1::SyncFeedsRequest(), &response);
  }

  grpc::Status GetStatus(const std::shared_ptr<grpc::Channel>& channel) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::GetStatusResponse response;
    return v1::Admin::NewStub(channel)->GetStatus(
        &context, v1::GetStatusRequest(), &response);
  }

  grpc::Status ListMatches(const std::shared_ptr<grpc::Channel>& channel) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ListMatchesResponse response;
    return v1::Review::NewStub(channel)->ListMatches(
        &context, v1::ListMatchesRequest(), &response);
  }

  TempDir dir_;
  std::string bridge_hash_;
  std::unique_ptr<TestPki> pki_;
  TestPki::Files server_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(DaemonTlsTest, NonLoopbackListenWithoutTlsIsRefused) {
  std::vector<std::string> args = DaemonArgs("");
  args.insert(args.end(), {"--listen", "0.0.0.0:0", "--metrics-listen", "off"});
  const Exit exit = RunDaemonUntilExit(args);
  EXPECT_EQ(exit.code, 2) << exit.stderr_text;
  EXPECT_THAT(exit.stderr_text,
              AllOf(HasSubstr("listen: \"0.0.0.0:0\" is not a loopback"),
                    HasSubstr("tls.cert_file"),
                    HasSubstr("allow_insecure_non_loopback")));
}

TEST_F(DaemonTlsTest, NonLoopbackListenWithInsecureOverrideStarts) {
  std::vector<std::string> args =
      DaemonArgs("allow_insecure_non_loopback: true\n");
  args.insert(args.end(), {"--listen", "0.0.0.0:0"});
  Start(args);
  ExpectBlocked(grpc::CreateChannel(daemon_->address(),
                                    grpc::InsecureChannelCredentials()));
}

TEST_F(DaemonTlsTest, MissingCertificateFileIsReported) {
  const std::string missing = dir_.File("no-such-cert.pem");
  const Exit exit = RunDaemonUntilExit(DaemonArgs("tls { cert_file: \"" +
                                                  missing + "\" key_file: \"" +
                                                  server_.key_file + "\" }\n"));
  EXPECT_NE(exit.code, 0) << exit.stderr_text;
  EXPECT_NE(exit.code, -1) << "did not exit";
  EXPECT_THAT(exit.stderr_text,
              AllOf(HasSubstr("tls.cert_file"), HasSubstr(missing)));
}

TEST_F(DaemonTlsTest, KeyOfAnotherCertificateIsReported) {
  auto other = pki_->Issue(TestPki::Server("other-server"));
  ASSERT_TRUE(other.ok()) << other.status();
  const Exit exit = RunDaemonUntilExit(
      DaemonArgs("tls { cert_file: \"" + server_.cert_file + "\" key_file: \"" +
                 other->key_file + "\" }\n"));
  EXPECT_EQ(exit.code, 1) << exit.stderr_text;
  EXPECT_THAT(exit.stderr_text,
              AllOf(HasSubstr("tls.key_file"), HasSubstr(other->key_file),
                    HasSubstr("is not the key of")));
}

TEST_F(DaemonTlsTest, CertificateFileWithoutPemIsReported) {
  const std::string junk = dir_.File("junk.pem");
  WriteFile(junk, "not a certificate\n");
  const Exit exit = RunDaemonUntilExit(DaemonArgs("tls { cert_file: \"" + junk +
                                                  "\" key_file: \"" +
                                                  server_.key_file + "\" }\n"));
  EXPECT_EQ(exit.code, 1) << exit.stderr_text;
  EXPECT_THAT(exit.stderr_text,
              AllOf(HasSubstr("tls.cert_file"), HasSubstr(junk),
                    HasSubstr("no PEM certificate")));
}

TEST_F(DaemonTlsTest, TlsOnNonLoopbackAddressServesClientsTrustingTheCa) {
  std::vector<std::string> args = DaemonArgs(TlsConfig());
  args.insert(args.end(), {"--listen", "0.0.0.0:0"});
  Start(args);
  ExpectBlocked(TlsChannel(pki_->ca_pem()));
}

TEST_F(DaemonTlsTest, TlsRefusesPlaintextClients) {
  Start(DaemonArgs(TlsConfig()));
  EXPECT_EQ(CheckStatus(grpc::CreateChannel(daemon_->address(),
                                            grpc::InsecureChannelCredentials()))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  ExpectBlocked(TlsChannel(pki_->ca_pem()));  // the daemon is up
}

TEST_F(DaemonTlsTest, TlsClientThatDoesNotTrustTheCaFails) {
  Start(DaemonArgs(TlsConfig()));
  auto other = TestPki::Create(dir_.path(), "other-ca");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(CheckStatus(TlsChannel(other->ca_pem())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

// Server-auth-only TLS: Check is open, Admin needs a principal (a client
// certificate or the unix socket), which a caller without a certificate is
// not.
TEST_F(DaemonTlsTest, TlsWithoutClientCaTakesClientsWithoutCertificate) {
  Start(DaemonArgs(TlsConfig()));
  ExpectBlocked(TlsChannel(pki_->ca_pem()));
  const grpc::Status status = GetStatus(TlsChannel(pki_->ca_pem()));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(),
              AllOf(HasSubstr("the admin role needs an authenticated caller"),
                    HasSubstr(daemon_->unix_socket()), HasSubstr("tls.roles")));
}

// mTLS with roles for three common names.
class DaemonMtlsTest : public DaemonTlsTest {
 protected:
  void SetUp() override {
    DaemonTlsTest::SetUp();
    if (HasFatalFailure()) return;
    Start(DaemonArgs(TlsConfig(
        "client_ca_file: \"" + pki_->ca_file() +
        "\" "
        "roles { common_name: \"upload-service\" roles: \"checker\" } "
        "roles { common_name: \"ops\" roles: \"admin\" } "
        "roles { common_name: \"moderator\" roles: \"reviewer\" } ")));
  }

  std::shared_ptr<grpc::Channel> As(const std::string& cn) {
    return TlsChannel(pki_->ca_pem(), ClientCert(cn));
  }
};

TEST_F(DaemonMtlsTest, ClientWithoutCertificateIsRefused) {
  EXPECT_EQ(CheckStatus(TlsChannel(pki_->ca_pem())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(DaemonMtlsTest, CertificateOfAnotherCaIsRefused) {
  auto other = TestPki::Create(dir_.path(), "other-ca");
  ASSERT_TRUE(other.ok()) << other.status();
  // Same common name as a configured role: only the CA makes it count.
  auto impostor = other->Issue(TestPki::Client("impostor", "upload-service"));
  ASSERT_TRUE(impostor.ok()) << impostor.status();
  EXPECT_EQ(CheckStatus(TlsChannel(pki_->ca_pem(), *impostor)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(DaemonMtlsTest, CheckerMayCheckOnly) {
  auto channel = As("upload-service");
  ExpectBlocked(channel);
  const grpc::Status sync = SyncFeeds(channel);
  EXPECT_EQ(sync.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(sync.error_message(),
              AllOf(HasSubstr("upload-service"), HasSubstr("admin")));
  EXPECT_EQ(ListMatches(channel).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(DaemonMtlsTest, AdminMayCallAdminOnly) {
  auto channel = As("ops");
  EXPECT_TRUE(GetStatus(channel).ok());
  const grpc::Status sync = SyncFeeds(channel);
  EXPECT_TRUE(sync.ok()) << sync.error_message();
  EXPECT_EQ(CheckStatus(channel).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ListMatches(channel).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(DaemonMtlsTest, ReviewerMayListMatchesButNotCheck) {
  auto channel = As("moderator");
  const grpc::Status list = ListMatches(channel);
  EXPECT_TRUE(list.ok()) << list.error_message();
  const grpc::Status check = CheckStatus(channel);
  EXPECT_EQ(check.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(check.error_message(),
              AllOf(HasSubstr("moderator"), HasSubstr("checker")));
  EXPECT_EQ(GetStatus(channel).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(DaemonMtlsTest, UnmappedCommonNameHasNoRole) {
  auto channel = As("stranger");
  const grpc::Status check = CheckStatus(channel);
  EXPECT_EQ(check.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(check.error_message(), HasSubstr("stranger"));
  EXPECT_EQ(GetStatus(channel).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(DaemonMtlsTest, CliChecksWithTlsFlags) {
  const TestPki::Files checker = ClientCert("upload-service");
  const std::string image = TestdataPath("pdq/bridge-1-original.jpg");
  std::ostringstream out, err;
  const int code = cli::RunCheckCommand(
      {"--addr", daemon_->address(), "--tls-ca", pki_->ca_file(), "--tls-cert",
       checker.cert_file, "--tls-key", checker.key_file, image},
      out, err);
  EXPECT_EQ(code, 0) << err.str();
  EXPECT_THAT(out.str(),
              AllOf(HasSubstr("BLOCK " + image), HasSubstr("bridge-1")));

  // Without a client certificate the handshake fails: an error, exit 1.
  std::ostringstream out2, err2;
  EXPECT_EQ(cli::RunCheckCommand({"--addr", daemon_->address(), "--tls-ca",
                                  pki_->ca_file(), image},
                                 out2, err2),
            1);
  EXPECT_THAT(err2.str(), HasSubstr(image + ": error:"));

  // A certificate without its key is a usage error.
  std::ostringstream out3, err3;
  EXPECT_EQ(cli::RunCheckCommand(
                {"--addr", daemon_->address(), "--tls-ca", pki_->ca_file(),
                 "--tls-cert", checker.cert_file, image},
                out3, err3),
            2);
  EXPECT_THAT(err3.str(), HasSubstr("--tls-key"));
}

// `rescan` and `review list` take the same TLS flags as `check`: the checker
// rescans (the bank's image is blocked and recorded for review), the
// reviewer then lists that match.
TEST_F(DaemonMtlsTest, CliRescansAndListsReviewsWithTlsFlags) {
  const TestPki::Files checker = ClientCert("upload-service");
  const TestPki::Files moderator = ClientCert("moderator");
  const std::string image = TestdataPath("pdq/bridge-1-original.jpg");
  const std::string listing = dir_.File("listing.csv");
  WriteFile(listing, "upload-7," + image + "\n");
  std::ostringstream out, err;
  const int code =
      cli::RunRescanCommand({"--listing", listing, "--addr", daemon_->address(),
                             "--tls-ca", pki_->ca_file(), "--tls-cert",
                             checker.cert_file, "--tls-key", checker.key_file},
                            out, err);
  EXPECT_EQ(code, 0) << err.str();
  EXPECT_THAT(out.str(), AllOf(HasSubstr("\"content_id\": \"upload-7\""),
                               HasSubstr("bridge-1")));
  EXPECT_THAT(err.str(), HasSubstr("rescan: 1/1 done, 0 failed"));

  std::ostringstream list_out, list_err;
  EXPECT_EQ(
      cli::RunReviewCommand(
          {"list", "--addr", daemon_->address(), "--tls-ca", pki_->ca_file(),
           "--tls-cert", moderator.cert_file, "--tls-key", moderator.key_file},
          list_out, list_err),
      0)
      << list_err.str();
  EXPECT_THAT(list_out.str(),
              AllOf(HasSubstr("upload-7"), HasSubstr("tid/bridge-1")));
}

// Without a client certificate the mTLS handshake fails: both commands exit
// 1 naming the TLS setup and the missing client certificate.
TEST_F(DaemonMtlsTest, CliRescanAndReviewWithoutClientCertificateFail) {
  const std::string image = TestdataPath("pdq/bridge-1-original.jpg");
  const std::string listing = dir_.File("listing.csv");
  WriteFile(listing, "upload-7," + image + "\n");
  std::ostringstream out, err;
  EXPECT_EQ(
      cli::RunRescanCommand({"--listing", listing, "--addr", daemon_->address(),
                             "--tls-ca", pki_->ca_file()},
                            out, err),
      1);
  // gRPC itself says only "Socket closed"; the hint names the TLS setup.
  const std::string hint =
      "TLS to " + daemon_->address() + " trusting --tls-ca " + pki_->ca_file();
  EXPECT_THAT(
      err.str(),
      AllOf(HasSubstr("clearmatch rescan: stream ended: "), HasSubstr(hint),
            HasSubstr("require a client certificate (--tls-cert")));
  EXPECT_EQ(out.str(), "");

  std::ostringstream list_out, list_err;
  EXPECT_EQ(cli::RunReviewCommand({"list", "--addr", daemon_->address(),
                                   "--tls-ca", pki_->ca_file()},
                                  list_out, list_err),
            1);
  EXPECT_THAT(list_err.str(),
              AllOf(HasSubstr("clearmatch review: "), HasSubstr(hint),
                    HasSubstr("require a client certificate (--tls-cert"),
                    HasSubstr("(code 14)")));
  EXPECT_EQ(list_out.str(), "");
}

// A daemon feed over HTTPS is verified against the CA named by the feed's
// ca_file; without it (the system store) the sync fails and the daemon does
// not serve a half-known index.
TEST_F(DaemonTlsTest, HttpsFeedIsVerifiedAgainstItsCaFile) {
  absl::StatusOr<TestFeed> feed = CreateTestFeed(dir_);
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_TRUE(feed->publisher
                  ->Publish({AddRecord("from-https", HashType::kPdq,
                                       bridge_hash_, "httpsbank")})
                  .ok());
  auto https = TlsHttpServer::Start(dir_.File("feed"), server_.cert_pem,
                                    server_.key_pem);
  ASSERT_TRUE(https.ok()) << https.status();

  auto config_with = [&](const std::string& ca_line, const std::string& name) {
    return dir_.Write(name, "sync_interval_seconds: 0\nfeeds { url: \"" +
                                (*https)->base_url() +
                                "\" public_key_file: \"" + feed->pubkey_file +
                                "\" " + ca_line + "}\n");
  };
  // Trusting the test CA: synced and matched.
  {
    DaemonProcess daemon(
        {"--config",
         config_with("ca_file: \"" + pki_->ca_file() + "\" ", "with-ca.txt"),
         "--data-dir", dir_.File("data-with-ca")});
    ASSERT_TRUE(daemon.started()) << daemon.error();
    auto admin = v1::Admin::NewStub(grpc::CreateChannel(
        daemon.unix_address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    v1::SyncFeedsResponse synced;
    ASSERT_TRUE(admin->SyncFeeds(&context, {}, &synced).ok());
    ASSERT_EQ(synced.feeds_size(), 1);
    EXPECT_EQ(synced.feeds(0).last_sync_result(), "ok");
    EXPECT_EQ(synced.index().version(), 1u);
  }
  // The system store does not know the test CA: the sync fails, naming TLS.
  {
    DaemonProcess daemon({"--config", config_with("", "no-ca.txt"),
                          "--data-dir", dir_.File("data-no-ca")});
    ASSERT_TRUE(daemon.started()) << daemon.error();
    auto admin = v1::Admin::NewStub(grpc::CreateChannel(
        daemon.unix_address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    v1::SyncFeedsResponse synced;
    admin->SyncFeeds(&context, {}, &synced);
    ASSERT_EQ(synced.feeds_size(), 1);
    EXPECT_THAT(synced.feeds(0).last_sync_result(), HasSubstr("TLS"));
    EXPECT_FALSE(synced.index().serving());
  }
}

}  // namespace
}  // namespace clearmatch
