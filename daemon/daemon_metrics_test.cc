#include "daemon/daemon_metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

TEST(DaemonMetricsTest, RendersPrometheusText) {
  DaemonMetrics metrics;
  metrics.CountRequest("Check", absl::StatusCode::kOk);
  metrics.CountRequest("Check", absl::StatusCode::kOk);
  metrics.ObserveRpcSeconds("Check", 0.0003);
  metrics.ObserveRpcSeconds("Check", 2);
  metrics.CountVerdict("b\"x", v1::BLOCK, false);
  metrics.CountRejected("overloaded");
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  metrics.SetIndex(7, 100, 3, t0);
  const std::string text = metrics.RenderPrometheus(t0 + absl::Seconds(5));
  EXPECT_THAT(text, HasSubstr("# TYPE clearmatch_requests_total counter"));
  EXPECT_THAT(
      text,
      HasSubstr("clearmatch_requests_total{rpc=\"Check\",code=\"OK\"} 2"));
  // Buckets are cumulative: 0.0003 is in le=0.0005 and above, 2 only in 5.
  EXPECT_THAT(text, HasSubstr("clearmatch_request_duration_seconds_bucket{"
                              "rpc=\"Check\",le=\"0.00025\"} 0"));
  EXPECT_THAT(text, HasSubstr("clearmatch_request_duration_seconds_bucket{"
                              "rpc=\"Check\",le=\"0.0005\"} 1"));
  EXPECT_THAT(text, HasSubstr("clearmatch_request_duration_seconds_bucket{"
                              "rpc=\"Check\",le=\"5\"} 2"));
  EXPECT_THAT(text, HasSubstr("clearmatch_request_duration_seconds_count{"
                              "rpc=\"Check\"} 2"));
  // Label values are escaped.
  EXPECT_THAT(text, HasSubstr("bank=\"b\\\"x\""));
  EXPECT_THAT(text, HasSubstr("clearmatch_index_version 7\n"));
  EXPECT_THAT(text, HasSubstr("clearmatch_index_age_seconds 5\n"));
  EXPECT_THAT(
      text,
      HasSubstr("clearmatch_rejected_requests_total{reason=\"overloaded\"} 1"));
}

}  // namespace
}  // namespace clearmatch
