// HttpClient against real servers on loopback ports: a cpp-httplib server
// that records what arrives, FaultHttpServer for statuses and faults, and
// TlsHttpServer with certificates from a CA made inside the test.
#include "http/http_client.h"

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "http/listening_thread.h"
#include "testing/fault_http_server.h"
#include "testing/temp_dir.h"
#include "testing/test_pki.h"
#include "testing/tls_http_server.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::FaultHttpServer;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestPki;
using ::clearmatch::testing::TlsHttpServer;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using Fault = FaultHttpServer::Fault;
using Response = FaultHttpServer::Response;

// What the recording server saw of one request.
struct Received {
  std::string method;
  std::string path;
  std::string body;
  std::string content_type;
  std::string authorization;
  std::string functions_key;
  std::string user_agent;
};

// A cpp-httplib server on 127.0.0.1 that answers 200 "got <METHOD>" on
// /echo (401 on /private) and records every request.
class RecordingServer {
 public:
  RecordingServer() {
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      absl::MutexLock lock(&mu_);
      received_.push_back({req.method, req.path, req.body,
                           req.get_header_value("Content-Type"),
                           req.get_header_value("Authorization"),
                           req.get_header_value("x-functions-key"),
                           req.get_header_value("User-Agent")});
      if (req.path == "/private") {
        res.status = 401;
        res.set_content("who are you", "text/plain");
      } else {
        res.set_content(absl::StrCat("got ", req.method), "text/plain");
      }
    };
    server_.Get(".*", record);
    server_.Put(".*", record);
    server_.Post(".*", record);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = StartListeningThread(server_);
  }
  ~RecordingServer() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }
  std::vector<Received> received() {
    absl::MutexLock lock(&mu_);
    return received_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  absl::Mutex mu_;
  std::vector<Received> received_ ABSL_GUARDED_BY(mu_);
};

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("data.txt", std::string(1000, 'd'));
    server_ = *FaultHttpServer::Start(dir_.path());
  }

  HttpClient::Options Options() {
    HttpClient::Options options;
    options.connect_timeout = absl::Seconds(5);
    options.attempt_timeout = absl::Seconds(20);
    options.max_attempts = 3;
    options.initial_backoff = absl::Milliseconds(100);
    options.sleep = [this](absl::Duration d) { sleeps_.push_back(d); };
    return options;
  }

  absl::StatusOr<HttpResponse> Get(const std::string& path,
                                   HttpClient::Options options) {
    auto client = HttpClient::Create(std::move(options));
    if (!client.ok()) return client.status();
    HttpRequest request;
    request.url = server_->base_url() + path;
    return (*client)->Send(request);
  }
  absl::StatusOr<HttpResponse> Get(const std::string& path) {
    return Get(path, Options());
  }

  TempDir dir_;
  std::unique_ptr<FaultHttpServer> server_;
  std::vector<absl::Duration> sleeps_;
};

TEST_F(HttpClientTest, GetSendsHeadersAndReturnsTheBody) {
  RecordingServer recorder;
  HttpClient::Options options = Options();
  options.user_agent = "clearmatch-test/7";
  auto client = *HttpClient::Create(options);
  HttpRequest request;
  request.url = recorder.Url("/echo?page=2");
  request.headers = {{"x-functions-key", "fk-123"}};
  auto response = client->Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "got GET");
  const std::vector<Received> received = recorder.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].method, "GET");
  EXPECT_EQ(received[0].path, "/echo");
  EXPECT_EQ(received[0].functions_key, "fk-123");
  EXPECT_EQ(received[0].user_agent, "clearmatch-test/7");
  EXPECT_EQ(received[0].authorization, "");
}

TEST_F(HttpClientTest, PutAndPostSendTheirBodyAndContentType) {
  RecordingServer recorder;
  auto client = *HttpClient::Create(Options());
  // Over 1 KiB, where curl would otherwise wait for "100 Continue".
  const std::string xml = "<feedback>" + std::string(5000, 'x') + "</feedback>";
  for (const std::string method : {"PUT", "POST"}) {
    HttpRequest request;
    request.method = method;
    request.url = recorder.Url("/echo");
    request.body = method == "PUT" ? xml : R"({"hashes":[]})";
    request.content_type =
        method == "PUT" ? "application/xml" : "application/json";
    auto response = client->Send(request);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->body, "got " + method);
  }
  const std::vector<Received> received = recorder.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].method, "PUT");
  EXPECT_EQ(received[0].body, xml);
  EXPECT_EQ(received[0].content_type, "application/xml");
  EXPECT_EQ(received[1].method, "POST");
  EXPECT_EQ(received[1].body, R"({"hashes":[]})");
  EXPECT_EQ(received[1].content_type, "application/json");
}

TEST_F(HttpClientTest, BasicAuthArrivesAndNeverAppearsInErrors) {
  RecordingServer recorder;
  auto client = *HttpClient::Create(Options());
  HttpRequest request;
  request.url = recorder.Url("/echo");
  request.basic_auth = "alice:s3cret-pw";
  ASSERT_TRUE(client->Send(request).ok());
  request.url = recorder.Url("/private");
  request.method = "POST";
  request.body = "victim-hash-0123";
  request.headers = {{"x-functions-key", "fk-secret"}};
  auto refused = client->Send(request);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated)
      << refused.status();
  EXPECT_THAT(
      refused.status().message(),
      AllOf(HasSubstr("POST"), HasSubstr("/private"), HasSubstr("HTTP 401"),
            Not(HasSubstr("s3cret")), Not(HasSubstr("alice")),
            Not(HasSubstr("fk-secret")), Not(HasSubstr("victim-hash"))));
  const std::vector<Received> received = recorder.received();
  ASSERT_EQ(received.size(), 2u);  // a 401 is not retried
  // base64("alice:s3cret-pw")
  EXPECT_EQ(received[0].authorization, "Basic YWxpY2U6czNjcmV0LXB3");
}

TEST_F(HttpClientTest, ClientErrorsMapToTheirCodesWithoutRetry) {
  const std::vector<std::pair<int, absl::StatusCode>> cases = {
      {401, absl::StatusCode::kUnauthenticated},
      {403, absl::StatusCode::kPermissionDenied},
      {404, absl::StatusCode::kNotFound},
      {410, absl::StatusCode::kNotFound},
      {400, absl::StatusCode::kFailedPrecondition},
      {422, absl::StatusCode::kFailedPrecondition}};
  for (const auto& [status, code] : cases) {
    const std::string path = absl::StrCat("status-", status);
    server_->SetFault(path, Response::WithStatus(status));
    auto response = Get(path);
    EXPECT_EQ(response.status().code(), code) << status;
    EXPECT_THAT(response.status().message(),
                AllOf(HasSubstr("GET "), HasSubstr(path),
                      HasSubstr(absl::StrCat("HTTP ", status))));
    EXPECT_EQ(server_->RequestCount(path), 1) << status;
  }
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(HttpClientTest, TooManyRequestsWaitsForRetryAfterSeconds) {
  server_->SetFault("data.txt",
                    Response::WithStatus(429, {{"Retry-After", "7"}}), 1);
  auto response = Get("data.txt");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, std::string(1000, 'd'));
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_GE(sleeps_[0], absl::Seconds(7));
  EXPECT_LT(sleeps_[0], absl::Seconds(8));
}

TEST_F(HttpClientTest, RetryAfterAsHttpDateIsHonoured) {
  const std::string in_a_minute =
      absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT",
                       absl::Now() + absl::Seconds(60), absl::UTCTimeZone());
  server_->SetFault(
      "data.txt", Response::WithStatus(503, {{"Retry-After", in_a_minute}}), 1);
  auto response = Get("data.txt");
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_GE(sleeps_[0], absl::Seconds(50));
  EXPECT_LE(sleeps_[0], absl::Seconds(61));
}

TEST_F(HttpClientTest, RetryAfterBeyondTheLimitGivesUpAtOnce) {
  server_->SetFault("data.txt",
                    Response::WithStatus(429, {{"Retry-After", "86400"}}));
  auto response = Get("data.txt");
  ASSERT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr("retry after"));
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(server_->RequestCount("data.txt"), 1);
}

TEST_F(HttpClientTest, ServerErrorsAreRetriedWithJitteredBackoff) {
  server_->SetFault("data.txt", Response::WithStatus(500), 2);
  auto response = Get("data.txt");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(server_->RequestCount("data.txt"), 3);
  // initial_backoff 100 ms: [50, 100] ms, then [100, 200] ms.
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_GE(sleeps_[0], absl::Milliseconds(50));
  EXPECT_LE(sleeps_[0], absl::Milliseconds(100));
  EXPECT_GE(sleeps_[1], absl::Milliseconds(100));
  EXPECT_LE(sleeps_[1], absl::Milliseconds(200));
}

TEST_F(HttpClientTest, PersistentServerErrorGivesUpAfterTheLastAttempt) {
  server_->SetFault("data.txt", Response::WithStatus(500));
  auto response = Get("data.txt");
  ASSERT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(),
              AllOf(HasSubstr("HTTP 500"), HasSubstr("gave up after 3")));
  EXPECT_EQ(server_->RequestCount("data.txt"), 3);
}

TEST_F(HttpClientTest, ConnectionResetIsRetried) {
  server_->SetFault("data.txt", Response::WithFault(Fault::kReset), 1);
  auto response = Get("data.txt");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(server_->RequestCount("data.txt"), 2);
  server_->SetFault("data.txt", Response::WithFault(Fault::kReset));
  auto failed = Get("data.txt");
  ASSERT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(failed.status().message(), HasSubstr("connection failed"));
}

TEST_F(HttpClientTest, TruncatedBodyIsRetriedThenReported) {
  server_->SetFault("data.txt", Response::WithFault(Fault::kTruncate));
  auto response = Get("data.txt");
  ASSERT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(),
              AllOf(HasSubstr("truncated"), HasSubstr("3 attempts")));
  EXPECT_EQ(server_->RequestCount("data.txt"), 3);
}

TEST_F(HttpClientTest, BodyOverTheCapAbortsWithoutRetry) {
  auto client = *HttpClient::Create(Options());
  HttpRequest request;
  request.url = server_->base_url() + "data.txt";
  request.max_response_bytes = 999;
  auto over = client->Send(request);
  ASSERT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(over.status().message(), HasSubstr("999 bytes"));
  request.max_response_bytes = 1000;
  ASSERT_TRUE(client->Send(request).ok());
  // A body without a length is cut off as soon as it passes the cap.
  server_->SetFault("endless", Response::WithFault(Fault::kEndlessBody));
  request.url = server_->base_url() + "endless";
  request.max_response_bytes = 1 << 20;
  auto endless = client->Send(request);
  ASSERT_EQ(endless.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(server_->RequestCount("endless"), 1);
}

TEST_F(HttpClientTest, HttpsOnlyRefusesHttpUrls) {
  HttpClient::Options options = Options();
  options.https_only = true;
  auto response = Get("data.txt", options);
  ASSERT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(response.status().message(), HasSubstr("https"));
  EXPECT_EQ(server_->RequestCount("data.txt"), 0);
}

TEST_F(HttpClientTest, BadRequestsAreRefusedBeforeSending) {
  auto client = *HttpClient::Create(Options());
  HttpRequest request;
  request.url = server_->base_url() + "data.txt";
  request.method = "DELETE";
  EXPECT_EQ(client->Send(request).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.method = "GET";
  request.headers = {{"x-key", "secret-value\r\nX-Evil: 1"}};
  auto injected = client->Send(request);
  EXPECT_EQ(injected.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(injected.status().message(), Not(HasSubstr("secret-value")));
  request.headers.clear();
  request.url = "ftp://127.0.0.1/data.txt";
  EXPECT_EQ(client->Send(request).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server_->RequestCount("data.txt"), 0);
  HttpClient::Options bad = Options();
  bad.max_attempts = 0;
  EXPECT_EQ(HttpClient::Create(bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(HttpClientTest, CancelledDuringATransferStopsIt) {
  server_->SetFault("data.txt", Response::WithFault(Fault::kNeverAnswer));
  HttpClient::Options options = Options();
  const absl::Time cancel_at = absl::Now() + absl::Milliseconds(300);
  options.cancelled = [cancel_at] { return absl::Now() >= cancel_at; };
  const absl::Time start = absl::Now();
  auto response = Get("data.txt", options);
  ASSERT_EQ(response.status().code(), absl::StatusCode::kCancelled)
      << response.status();
  // Far below attempt_timeout (20 s): the poll stopped the transfer.
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(server_->RequestCount("data.txt"), 1);
}

TEST_F(HttpClientTest, CancelledDuringBackoffStopsBetweenSteps) {
  server_->SetFault("data.txt",
                    Response::WithStatus(503, {{"Retry-After", "60"}}));
  std::atomic<bool> cancelled{false};
  HttpClient::Options options = Options();
  options.cancelled = [&cancelled] { return cancelled.load(); };
  options.sleep = [this, &cancelled](absl::Duration d) {
    sleeps_.push_back(d);
    if (sleeps_.size() == 3) cancelled.store(true);
  };
  auto response = Get("data.txt", options);
  ASSERT_EQ(response.status().code(), absl::StatusCode::kCancelled)
      << response.status();
  EXPECT_EQ(server_->RequestCount("data.txt"), 1);
  ASSERT_EQ(sleeps_.size(), 3u);
  for (absl::Duration d : sleeps_) EXPECT_LE(d, absl::Milliseconds(100));
}

class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_.Write("data.txt", "over tls"); }
  void Serve(const TestPki::Files& cert) {
    server_ = *TlsHttpServer::Start(dir_.path(), cert.cert_pem, cert.key_pem);
  }
  absl::StatusOr<HttpResponse> Get(const std::string& ca_file) {
    HttpClient::Options options;
    options.ca_file = ca_file;
    options.https_only = true;
    options.max_attempts = 3;
    options.sleep = [](absl::Duration) {};
    auto client = HttpClient::Create(options);
    if (!client.ok()) return client.status();
    HttpRequest request;
    request.url = server_->base_url() + "data.txt";
    return (*client)->Send(request);
  }

  TempDir dir_;
  std::unique_ptr<TlsHttpServer> server_;
};

TEST_F(HttpsClientTest, TrustedCertificateIsAccepted) {
  auto pki = TestPki::Create(dir_.path(), "ca");
  ASSERT_TRUE(pki.ok()) << pki.status();
  Serve(*pki->Issue(TestPki::Server("server")));
  auto response = Get(pki->ca_file());
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "over tls");
}

TEST_F(HttpsClientTest, UntrustedCertificateIsRefusedWithoutRetry) {
  auto pki = TestPki::Create(dir_.path(), "ca");
  auto other = TestPki::Create(dir_.path(), "other-ca");
  ASSERT_TRUE(pki.ok() && other.ok());
  Serve(*other->Issue(TestPki::Server("server")));
  auto response = Get(pki->ca_file());
  ASSERT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(),
              AllOf(HasSubstr("TLS failed"), HasSubstr("certificate")));
  EXPECT_EQ(server_->connections(), 1);
}

}  // namespace
}  // namespace clearmatch
