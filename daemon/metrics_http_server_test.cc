// Tests of MetricsHttpServer with a real HTTP client on loopback.
#include "daemon/metrics_http_server.h"

#include <httplib.h>

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

TEST(MetricsHttpServerTest, ServesMetricsAndHealth) {
  std::atomic<bool> serving{false};
  auto server = MetricsHttpServer::Start(
      "127.0.0.1:0", [] { return std::string("clearmatch_up 1\n"); },
      [&] { return serving.load(); });
  ASSERT_TRUE(server.ok()) << server.status();
  httplib::Client client("127.0.0.1", (*server)->port());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->body, "clearmatch_up 1\n");
  EXPECT_THAT(metrics->get_header_value("Content-Type"),
              HasSubstr("version=0.0.4"));
  auto not_yet = client.Get("/healthz");
  ASSERT_TRUE(not_yet);
  EXPECT_EQ(not_yet->status, 503);
  EXPECT_EQ(not_yet->body, "not serving\n");
  serving = true;
  auto ready = client.Get("/healthz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body, "serving\n");
  auto other = client.Get("/other");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  EXPECT_EQ(other->body, "GET /metrics or /healthz\n");
}

TEST(MetricsHttpServerTest, OnlyLoopbackAddresses) {
  for (const char* address : {"0.0.0.0:0", "10.0.0.1:9464", "nonsense",
                              "127.0.0.1:70000", "[::1]:0"}) {
    EXPECT_EQ(MetricsHttpServer::Start(
                  address, [] { return std::string(); }, [] { return true; })
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument)
        << address;
  }
}

TEST(MetricsHttpServerTest, APortInUseIsUnavailable) {
  auto first = MetricsHttpServer::Start(
      "127.0.0.1:0", [] { return std::string(); }, [] { return true; });
  ASSERT_TRUE(first.ok());
  auto second = MetricsHttpServer::Start(
      "127.0.0.1:" + std::to_string((*first)->port()),
      [] { return std::string(); }, [] { return true; });
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace clearmatch
