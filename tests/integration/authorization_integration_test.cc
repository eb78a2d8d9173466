// The authorization of every RPC of Matcher, Admin and Review against the
// real clearmatchd, allowed and refused, on each way in:
// - plaintext loopback TCP and TLS without a client certificate
//   (anonymous: Matcher only; Review and Admin UNAUTHENTICATED);
// - the unix socket, as this test's user (root: every role by default, here
//   mapped explicitly) and as other uids with one role each or none
//   (PERMISSION_DENIED for the others). Those callers connect in a forked
//   child that switches uid with setresuid and hands the connected socket
//   back (SCM_RIGHTS): the kernel fixed SO_PEERCRED at connect;
// - mTLS, with a certificate per role and one whose common name has none.
// An allowed call may still fail for its request (NOT_FOUND for a made-up
// match): allowed means neither UNAUTHENTICATED nor PERMISSION_DENIED.
#include <grpcpp/create_channel_posix.h>
#include <grpcpp/grpcpp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "clearmatch/v1/admin.grpc.pb.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "clearmatch/v1/review.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "testing/test_pki.h"

namespace clearmatch {
namespace {

using ::testing::AllOf;
using testing::DaemonProcess;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::TestPki;

// One RPC, called with a small request; its status.
struct Rpc {
  const char* name;
  const char* role;
  std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&)> call;
};

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(20));
}

v1::CheckRequest HashOnlyCheck() {
  v1::CheckRequest request;
  request.set_context(v1::UPLOAD);
  request.mutable_hashes()->set_md5(std::string(32, '0'));
  return request;
}

template <typename Stub, typename Request, typename Response>
grpc::Status Unary(std::unique_ptr<Stub> stub,
                   grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                const Request&, Response*),
                   const Request& request) {
  grpc::ClientContext context;
  SetDeadline(&context);
  Response response;
  return ((*stub).*method)(&context, request, &response);
}

grpc::Status CheckStream(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::ClientContext context;
  SetDeadline(&context);
  auto stream = v1::Matcher::NewStub(channel)->CheckStream(&context);
  stream->Write(HashOnlyCheck());
  stream->WritesDone();
  v1::CheckResponse response;
  while (stream->Read(&response)) {
  }
  return stream->Finish();
}

grpc::Status CheckUpload(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::CheckResponse response;
  auto stream = v1::Matcher::NewStub(channel)->CheckUpload(&context, &response);
  v1::UploadChunk header;
  header.mutable_header()->set_context(v1::UPLOAD);
  header.mutable_header()->set_declared_size(4);
  v1::UploadChunk data;
  data.set_data("junk");
  stream->Write(header);
  stream->Write(data);
  stream->WritesDone();
  return stream->Finish();
}

std::vector<Rpc> EveryRpc() {
  using v1::Admin;
  using v1::Matcher;
  using v1::Review;
  v1::GetMatchRequest get;
  get.set_match_id(424242);
  v1::DecideRequest decide;
  decide.set_match_id(424242);
  decide.set_outcome(v1::CONFIRMED);
  v1::RemoveAllowlistEntryRequest remove;
  remove.set_content_key("sha256:" + std::string(64, '0'));
  remove.set_bank("b");
  remove.set_entry_id("e");
  return {
      {"Check", "checker",
       [](auto& c) {
         return Unary(Matcher::NewStub(c), &Matcher::Stub::Check,
                      HashOnlyCheck());
       }},
      {"CheckStream", "checker", CheckStream},
      {"CheckUpload", "checker", CheckUpload},
      {"GetStatus", "admin",
       [](auto& c) {
         return Unary(Admin::NewStub(c), &Admin::Stub::GetStatus,
                      v1::GetStatusRequest());
       }},
      {"SyncFeeds", "admin",
       [](auto& c) {
         return Unary(Admin::NewStub(c), &Admin::Stub::SyncFeeds,
                      v1::SyncFeedsRequest());
       }},
      {"ListMatches", "reviewer",
       [](auto& c) {
         return Unary(Review::NewStub(c), &Review::Stub::ListMatches,
                      v1::ListMatchesRequest());
       }},
      {"GetMatch", "reviewer",
       [get](auto& c) {
         return Unary(Review::NewStub(c), &Review::Stub::GetMatch, get);
       }},
      {"Decide", "reviewer",
       [decide](auto& c) {
         return Unary(Review::NewStub(c), &Review::Stub::Decide, decide);
       }},
      {"ExportConfirmed", "reviewer",
       [](auto& c) {
         return Unary(Review::NewStub(c), &Review::Stub::ExportConfirmed,
                      v1::ExportConfirmedRequest());
       }},
      {"ListFeedback", "reviewer",
       [](auto& c) {
         return Unary(Review::NewStub(c), &Review::Stub::ListFeedback,
                      v1::ListFeedbackRequest());
       }},
      {"ListAllowlist", "admin",
       [](auto& c) {
         return Unary(Review::NewStub(c), &Review::Stub::ListAllowlist,
                      v1::ListAllowlistRequest());
       }},
      {"RemoveAllowlistEntry", "admin",
       [remove](auto& c) {
         return Unary(Review::NewStub(c), &Review::Stub::RemoveAllowlistEntry,
                      remove);
       }},
  };
}

bool IsRefusal(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAUTHENTICATED ||
         code == grpc::StatusCode::PERMISSION_DENIED;
}

// Every RPC on `channel`: allowed when `allowed(rpc)`, else refused with
// `refusal` and a message containing `who` (when not empty) and the role.
void ExpectTable(const std::shared_ptr<grpc::Channel>& channel,
                 const std::function<bool(const Rpc&)>& allowed,
                 grpc::StatusCode refusal, const std::string& who) {
  for (const Rpc& rpc : EveryRpc()) {
    SCOPED_TRACE(rpc.name);
    const grpc::Status status = rpc.call(channel);
    if (allowed(rpc)) {
      EXPECT_FALSE(IsRefusal(status.error_code())) << status.error_message();
      EXPECT_NE(status.error_code(), grpc::StatusCode::UNAVAILABLE)
          << status.error_message();
      continue;
    }
    EXPECT_EQ(status.error_code(), refusal) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(rpc.role));
    if (!who.empty()) {
      EXPECT_THAT(status.error_message(), HasSubstr(who));
    }
  }
}

bool MatcherOnly(const Rpc& rpc) { return std::string(rpc.role) == "checker"; }

// A channel over a connection to the unix socket `path` made by a child
// process running as `uid` (its groups kept: the socket is 0660 root:root).
std::shared_ptr<grpc::Channel> ChannelAsUid(const std::string& path,
                                            uid_t uid) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return nullptr;
  const pid_t child = fork();
  if (child == 0) {
    close(pair[0]);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (setresuid(uid, uid, uid) != 0 ||
        connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
            0) {
      _exit(1);
    }
    char byte = 0;
    iovec io{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &fd, sizeof(int));
    _exit(sendmsg(pair[1], &message, 0) == 1 ? 0 : 1);
  }
  close(pair[1]);
  char byte = 0;
  iovec io{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof(control);
  const ssize_t received = recvmsg(pair[0], &message, 0);
  close(pair[0]);
  int status = 0;
  waitpid(child, &status, 0);
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  if (received != 1 || header == nullptr || status != 0) return nullptr;
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(header), sizeof(int));
  return grpc::CreateInsecureChannelFromFd("clearmatchd", fd);
}

// Users of the unix socket: uid -> (name, role).
const std::map<uid_t, std::pair<std::string, std::string>> kUnixUsers = {
    {65531, {"checker-user", "checker"}},
    {65532, {"reviewer-user", "reviewer"}},
    {65533, {"admin-user", "admin"}},
};
constexpr uid_t kUnmappedUid = 65534;

class AuthorizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Other uids must reach the socket: the directory is searchable by the
    // group (which they keep), the socket file is 0660.
    ASSERT_EQ(chmod(dir_.path().c_str(), 0710), 0);
    dir_.Write("bank.csv", "md5," + std::string(32, '1') + ",e1,tid,ncii\n");
  }

  // A daemon on the bank with `config` added.
  std::unique_ptr<DaemonProcess> StartDaemon(const std::string& name,
                                             const std::string& config) {
    const std::string path = dir_.Write(
        name + ".textproto", "bank_csvs { path: \"bank.csv\" }\n" + config);
    auto daemon = std::make_unique<DaemonProcess>(std::vector<std::string>{
        "--config", path, "--data-dir", dir_.File(name)});
    EXPECT_TRUE(daemon->started()) << daemon->error();
    return daemon;
  }

  std::string UnixConfig() const {
    std::string config = "unix_socket: \"" + dir_.File("d.sock") + "\"\n" +
                         "unix_roles { uid: " + std::to_string(geteuid()) +
                         " name: \"operator\" roles: \"checker\" roles: "
                         "\"reviewer\" roles: \"admin\" }\n";
    for (const auto& [uid, user] : kUnixUsers) {
      config += "unix_roles { uid: " + std::to_string(uid) + " name: \"" +
                user.first + "\" roles: \"" + user.second + "\" }\n";
    }
    return config;
  }

  std::string TlsConfig(const TestPki& pki, const std::string& more) {
    auto server = pki.Issue(TestPki::Server("server"));
    EXPECT_TRUE(server.ok()) << server.status();
    return "tls { cert_file: \"" + server->cert_file + "\" key_file: \"" +
           server->key_file + "\" " + more + "}\n";
  }

  static std::shared_ptr<grpc::Channel> TlsChannel(
      const DaemonProcess& daemon, const TestPki& pki,
      const TestPki::Files* client) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = pki.ca_pem();
    if (client != nullptr) {
      options.pem_private_key = client->key_pem;
      options.pem_cert_chain = client->cert_pem;
    }
    return grpc::CreateChannel(daemon.address(), grpc::SslCredentials(options));
  }

  TempDir dir_{"clearmatch-authz-it"};
};

TEST_F(AuthorizationTest, PlaintextLoopbackServesMatcherOnly) {
  auto daemon = StartDaemon("plain", UnixConfig());
  ASSERT_TRUE(daemon->started());
  ExpectTable(grpc::CreateChannel(daemon->address(),
                                  grpc::InsecureChannelCredentials()),
              MatcherOnly, grpc::StatusCode::UNAUTHENTICATED,
              "needs an authenticated caller: connect over the unix socket " +
                  dir_.File("d.sock"));
}

TEST_F(AuthorizationTest, UnixSocketUsersHaveTheirRolesOnly) {
  auto daemon = StartDaemon("unix", UnixConfig());
  ASSERT_TRUE(daemon->started());
  ASSERT_EQ(daemon->unix_socket(), dir_.File("d.sock"));
  {
    SCOPED_TRACE("the daemon's own user, every role");
    ExpectTable(
        grpc::CreateChannel(daemon->unix_address(),
                            grpc::InsecureChannelCredentials()),
        [](const Rpc&) { return true; }, grpc::StatusCode::PERMISSION_DENIED,
        "");
  }
  for (const auto& [uid, user] : kUnixUsers) {
    SCOPED_TRACE(user.first);
    auto channel = ChannelAsUid(daemon->unix_socket(), uid);
    ASSERT_NE(channel, nullptr);
    const std::string role = user.second;
    ExpectTable(
        channel, [&](const Rpc& rpc) { return rpc.role == role; },
        grpc::StatusCode::PERMISSION_DENIED,
        "unix user \"" + user.first + "\" (uid " + std::to_string(uid) +
            ") lacks the ");
  }
  SCOPED_TRACE("a uid not in unix_roles");
  auto channel = ChannelAsUid(daemon->unix_socket(), kUnmappedUid);
  ASSERT_NE(channel, nullptr);
  ExpectTable(
      channel, [](const Rpc&) { return false; },
      grpc::StatusCode::PERMISSION_DENIED,
      "(uid " + std::to_string(kUnmappedUid) + ") lacks the ");
}

// Without unix_roles only the daemon's own uid has roles (all of them).
TEST_F(AuthorizationTest, UnixSocketDefaultIsTheDaemonsOwnUser) {
  auto daemon = StartDaemon("default", "");
  ASSERT_TRUE(daemon->started());
  EXPECT_EQ(daemon->unix_socket(), dir_.File("default") + "/clearmatchd.sock");
  struct stat status {};
  ASSERT_EQ(stat(daemon->unix_socket().c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0660u);
  ExpectTable(
      grpc::CreateChannel(daemon->unix_address(),
                          grpc::InsecureChannelCredentials()),
      [](const Rpc&) { return true; }, grpc::StatusCode::PERMISSION_DENIED, "");
  ASSERT_EQ(chmod(dir_.File("default").c_str(), 0710), 0);
  auto channel = ChannelAsUid(daemon->unix_socket(), 65531);
  ASSERT_NE(channel, nullptr);
  ExpectTable(
      channel, [](const Rpc&) { return false; },
      grpc::StatusCode::PERMISSION_DENIED, "(uid 65531) lacks the ");
  // The socket file goes with the daemon.
  const std::string socket = daemon->unix_socket();
  EXPECT_EQ(daemon->Stop(), 0);
  EXPECT_NE(stat(socket.c_str(), &status), 0);
}

TEST_F(AuthorizationTest, MtlsCertificatesHaveTheirRolesOnly) {
  auto pki = TestPki::Create(dir_.path(), "authz-ca");
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto daemon = StartDaemon(
      "mtls", TlsConfig(*pki, "client_ca_file: \"" + pki->ca_file() +
                                  "\" "
                                  "roles { common_name: \"checker-svc\" "
                                  "roles: \"checker\" } "
                                  "roles { common_name: \"reviewer-person\" "
                                  "roles: \"reviewer\" } "
                                  "roles { common_name: \"admin-person\" "
                                  "roles: \"admin\" } "));
  ASSERT_TRUE(daemon->started());
  const std::map<std::string, std::string> certificates = {
      {"checker-svc", "checker"},
      {"reviewer-person", "reviewer"},
      {"admin-person", "admin"},
      {"stranger", ""},
  };
  for (const auto& [common_name, role] : certificates) {
    SCOPED_TRACE(common_name);
    auto client = pki->Issue(TestPki::Client(common_name, common_name));
    ASSERT_TRUE(client.ok()) << client.status();
    ExpectTable(
        TlsChannel(*daemon, *pki, &*client),
        [&](const Rpc& rpc) { return rpc.role == role; },
        grpc::StatusCode::PERMISSION_DENIED,
        "client certificate \"" + common_name + "\" lacks the ");
  }
}

TEST_F(AuthorizationTest, TlsWithoutClientCertificateServesMatcherOnly) {
  auto pki = TestPki::Create(dir_.path(), "authz-ca");
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto daemon = StartDaemon("tls", TlsConfig(*pki, ""));
  ASSERT_TRUE(daemon->started());
  ExpectTable(TlsChannel(*daemon, *pki, nullptr), MatcherOnly,
              grpc::StatusCode::UNAUTHENTICATED,
              "needs an authenticated caller");
}

}  // namespace
}  // namespace clearmatch
