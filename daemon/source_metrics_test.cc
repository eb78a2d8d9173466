#include "daemon/source_metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SourceMetricsTest, RendersEntriesSkippedLagAndFeedback) {
  SourceMetrics metrics;
  const absl::Time t0 = absl::FromUnixSeconds(1700000000);
  SourceStatus ncmec;
  ncmec.kind = SourceKind::kNcmec;
  ncmec.name = "ncmec";
  ncmec.state.entries_by_type = {{"md5", 3}, {"pdq", 2}};
  ncmec.state.skipped = {{"fingerprint:pdna", 4}};
  ncmec.state.published = t0 - absl::Seconds(30);
  ncmec.last_result = SyncOutcome::kOk;
  ncmec.last_success = t0;
  metrics.Set(ncmec);
  SourceStatus csv;
  csv.kind = SourceKind::kBankCsv;
  csv.name = "static.csv";
  metrics.Set(csv);
  metrics.SetFeedback("ncmec",
                      {.sent = 5, .retried = 2, .rejected = 1, .pending = 7});

  const std::string text = metrics.Render(t0);
  EXPECT_THAT(text, HasSubstr("clearmatch_source_entries{source=\"ncmec\","
                              "kind=\"ncmec\",type=\"md5\"} 3\n"));
  EXPECT_THAT(text,
              HasSubstr("clearmatch_source_skipped_total{source=\"ncmec\""
                        ",kind=\"ncmec\",reason=\"fingerprint:pdna\"} 4"));
  EXPECT_THAT(text, HasSubstr("clearmatch_source_lag_seconds{source=\"ncmec\","
                              "kind=\"ncmec\"} 30\n"));
  EXPECT_THAT(text, HasSubstr("clearmatch_source_last_success_timestamp_seconds"
                              "{source=\"ncmec\",kind=\"ncmec\"} 1700000000"));
  EXPECT_THAT(text, HasSubstr("clearmatch_source_last_sync_ok{source=\"ncmec\""
                              ",kind=\"ncmec\"} 1"));
  EXPECT_THAT(text, HasSubstr("clearmatch_feedback_total{bank=\"ncmec\","
                              "outcome=\"retried\"} 2"));
  EXPECT_THAT(text, HasSubstr("clearmatch_feedback_pending{bank=\"ncmec\"} 7"));
  EXPECT_THAT(text, Not(HasSubstr("static.csv")));
}

TEST(SourceMetricsTest, NeverSyncedSourceHasNoLagAndIsNotOk) {
  SourceMetrics metrics;
  SourceStatus source;
  source.kind = SourceKind::kStopNcii;
  source.name = "stopncii";
  metrics.Set(source);
  const std::string text = metrics.Render(absl::Now());
  EXPECT_THAT(text, HasSubstr("clearmatch_source_lag_seconds{source="
                              "\"stopncii\",kind=\"stopncii\"} -1"));
  EXPECT_THAT(text, HasSubstr("clearmatch_source_last_sync_ok{source="
                              "\"stopncii\",kind=\"stopncii\"} 0"));
  EXPECT_THAT(text,
              HasSubstr("clearmatch_source_last_success_timestamp_"
                        "seconds{source=\"stopncii\",kind=\"stopncii\"} 0"));
}

}  // namespace
}  // namespace clearmatch
