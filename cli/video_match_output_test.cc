// The CLI's lines for vPDQ matches: the video rule, the reference rule's
// result and the ranges in both videos.
#include "cli/video_match_output.h"

#include <string>

#include "cli/verdict_output.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch::cli {
namespace {

using ::testing::HasSubstr;

v1::Match ClipMatch() {
  v1::Match match;
  match.set_bank("tid");
  match.set_entry_id("v1");
  match.set_hash_type("vpdq");
  match.set_decision(v1::REVIEW);
  match.set_video_rule(v1::Match::UPLOAD_IN_BANKED);
  match.set_reference_rule_match(false);
  match.set_query_pct(100);
  match.set_target_pct(14.7);
  match.set_segment_seconds(5);
  v1::TimeRange* query = match.add_query_ranges();
  query->set_start_seconds(0);
  query->set_end_seconds(4);
  v1::TimeRange* target = match.add_target_ranges();
  target->set_start_seconds(10);
  target->set_end_seconds(14);
  return match;
}

TEST(VideoMatchOutputTest, TextNamesTheRuleAndBothRanges) {
  EXPECT_EQ(VideoMatchText(ClipMatch()),
            ", UPLOAD_IN_BANKED, reference rule no, query_pct 100.0 "
            "target_pct 14.7, segment 5.0 s, upload 0.0-4.0 s, banked "
            "10.0-14.0 s");
  v1::Match reference = ClipMatch();
  reference.set_video_rule(v1::Match::PERCENTAGE);
  reference.set_reference_rule_match(true);
  reference.add_query_ranges()->set_start_seconds(6);
  const std::string text = VideoMatchText(reference);
  EXPECT_THAT(text, HasSubstr("PERCENTAGE, reference rule yes"));
  EXPECT_THAT(text, HasSubstr("upload 0.0-4.0 6.0-0.0 s"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("segment")));
  // Images and digests: nothing.
  v1::Match image;
  image.set_hash_type("pdq");
  EXPECT_EQ(VideoMatchText(image), "");
}

TEST(VideoMatchOutputTest, CheckLinesCarryTheVideoFields) {
  v1::CheckResponse response;
  response.set_decision(v1::REVIEW);
  *response.add_matches() = ClipMatch();
  EXPECT_THAT(CheckResponseText(response, "clip.mp4"),
              HasSubstr("tid/v1 (vpdq, distance 0, REVIEW, UPLOAD_IN_BANKED, "
                        "reference rule no"));
  const std::string json = CheckResponseJson(response, "clip.mp4");
  EXPECT_THAT(json, HasSubstr("\"video_rule\": \"UPLOAD_IN_BANKED\""));
  EXPECT_THAT(json, HasSubstr("\"reference_rule_match\": false"));
  EXPECT_THAT(json, HasSubstr("\"segment_seconds\": 5.000"));
  EXPECT_THAT(json, HasSubstr("\"target_ranges\": [{\"start\": 10.000, "
                              "\"end\": 14.000}]"));
}

}  // namespace
}  // namespace clearmatch::cli
