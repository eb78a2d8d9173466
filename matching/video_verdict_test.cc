// The video rules (docs/DAEMON.md, "Verdict rules"): the reference rule and
// the segment rules of VerdictPolicy::DecideVideo, and FillVideoMatch.
#include "matching/video_verdict.h"

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "matching/verdict_policy.h"

namespace clearmatch {
namespace {

// Content of `seed`: hashes of different seeds are about 128 bits apart.
PdqHash Content(int seed) {
  std::mt19937 rng(seed + 77);
  std::array<uint8_t, PdqHash::kBytes> bytes;
  for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(rng());
  return PdqHash(bytes);
}

// One frame a second, of Content(first_seed) ... Content(first_seed + n - 1).
std::vector<VpdqFeature> Video(int first_seed, int count) {
  std::vector<VpdqFeature> frames;
  for (int i = 0; i < count; ++i) {
    frames.push_back({i, 100, Content(first_seed + i), static_cast<double>(i)});
  }
  return frames;
}

std::vector<VpdqFeature> Concat(std::vector<VpdqFeature> a,
                                const std::vector<VpdqFeature>& b) {
  const double start = a.empty() ? 0 : a.back().seconds + 1;
  for (VpdqFeature frame : b) {
    frame.seconds += start;
    a.push_back(frame);
  }
  return a;
}

TEST(VideoVerdictTest, ClipOfTheBankedVideoIsReviewedWithItsRanges) {
  BankPolicy bank;
  bank.vpdq_target_pct = 50;  // a clip does not pass the reference rule
  const std::vector<VpdqFeature> banked = Video(0, 30);
  const VideoVerdict clip =
      VerdictPolicy::DecideVideo(v1::UPLOAD, bank, Video(12, 5), banked);
  EXPECT_EQ(clip.decision, v1::REVIEW);
  EXPECT_EQ(clip.rule, v1::Match::UPLOAD_IN_BANKED);
  EXPECT_FALSE(clip.reference_rule_match);
  ASSERT_TRUE(clip.segment.has_value());
  EXPECT_EQ(clip.segment->target_range, (VpdqTimeRange{12, 16}));

  v1::Match match;
  FillVideoMatch(clip, &match);
  EXPECT_EQ(match.video_rule(), v1::Match::UPLOAD_IN_BANKED);
  EXPECT_FALSE(match.reference_rule_match());
  EXPECT_DOUBLE_EQ(match.segment_seconds(), 5);
  EXPECT_DOUBLE_EQ(match.query_pct(), 100);
  EXPECT_NEAR(match.target_pct(), 100.0 * 5 / 30, 1e-9);
  ASSERT_EQ(match.query_ranges_size(), 1);
  EXPECT_EQ(match.query_ranges(0).start_seconds(), 0);
  EXPECT_EQ(match.query_ranges(0).end_seconds(), 4);
  ASSERT_EQ(match.target_ranges_size(), 1);
  EXPECT_EQ(match.target_ranges(0).start_seconds(), 12);
  EXPECT_EQ(match.target_ranges(0).end_seconds(), 16);
}

TEST(VideoVerdictTest, ShortClipsAndTheSwitchOff) {
  BankPolicy bank;
  bank.vpdq_target_pct = 50;
  const std::vector<VpdqFeature> banked = Video(0, 30);
  // 3 s is enough, 2 s is not.
  EXPECT_EQ(VerdictPolicy::DecideVideo(v1::UPLOAD, bank, Video(3, 3), banked)
                .decision,
            v1::REVIEW);
  const VideoVerdict two =
      VerdictPolicy::DecideVideo(v1::UPLOAD, bank, Video(3, 2), banked);
  EXPECT_EQ(two.decision, v1::ALLOW);
  EXPECT_EQ(two.rule, v1::Match::VIDEO_RULE_NONE);
  bank.min_segment_seconds = 10;
  EXPECT_EQ(VerdictPolicy::DecideVideo(v1::UPLOAD, bank, Video(3, 9), banked)
                .decision,
            v1::ALLOW);
  bank.min_segment_seconds = 0;
  EXPECT_EQ(VerdictPolicy::DecideVideo(v1::UPLOAD, bank, Video(3, 10), banked)
                .decision,
            v1::ALLOW);
  // Unrelated video: nothing, whatever the setting.
  bank.min_segment_seconds = 3;
  EXPECT_EQ(VerdictPolicy::DecideVideo(v1::UPLOAD, bank, Video(500, 30), banked)
                .decision,
            v1::ALLOW);
}

TEST(VideoVerdictTest, BankedVideoInsideALongerUploadTakesTheAction) {
  BankPolicy bank;  // Q 80, T 0: the segment must cover 80% of the banked
  const std::vector<VpdqFeature> banked = Video(0, 10);
  const std::vector<VpdqFeature> upload =
      Concat(Concat(Video(300, 10), banked), Video(400, 10));
  const VideoVerdict inside =
      VerdictPolicy::DecideVideo(v1::RESCAN, bank, upload, banked);
  EXPECT_EQ(inside.decision, v1::TAKEDOWN);
  EXPECT_EQ(inside.rule, v1::Match::BANKED_IN_UPLOAD);
  EXPECT_FALSE(inside.reference_rule_match);  // a third of the upload
  v1::Match match;
  FillVideoMatch(inside, &match);
  ASSERT_EQ(match.query_ranges_size(), 1);
  EXPECT_EQ(match.query_ranges(0).start_seconds(), 10);
  EXPECT_EQ(match.query_ranges(0).end_seconds(), 19);
  EXPECT_EQ(match.target_ranges(0).start_seconds(), 0);
  EXPECT_EQ(match.target_ranges(0).end_seconds(), 9);
  EXPECT_DOUBLE_EQ(match.segment_seconds(), 10);

  // Half of the banked video inside: REVIEW at T = 0 (Q = 80 applies), the
  // action when T = 40.
  const std::vector<VpdqFeature> half_inside =
      Concat(Concat(Video(300, 10), Video(0, 5)), Video(400, 10));
  EXPECT_EQ(VerdictPolicy::DecideVideo(v1::UPLOAD, bank, half_inside, banked)
                .decision,
            v1::REVIEW);
  bank.vpdq_target_pct = 40;
  EXPECT_EQ(VerdictPolicy::DecideVideo(v1::UPLOAD, bank, half_inside, banked)
                .decision,
            v1::BLOCK);
}

TEST(VideoVerdictTest, TheReferenceRuleComesFirst) {
  BankPolicy bank;  // Q 80, T 0: any clip passes it
  const VideoVerdict clip =
      VerdictPolicy::DecideVideo(v1::UPLOAD, bank, Video(12, 5), Video(0, 30));
  EXPECT_EQ(clip.decision, v1::BLOCK);
  EXPECT_EQ(clip.rule, v1::Match::PERCENTAGE);
  EXPECT_TRUE(clip.reference_rule_match);
  EXPECT_FALSE(clip.segment.has_value());
  v1::Match match;
  FillVideoMatch(clip, &match);
  EXPECT_EQ(match.video_rule(), v1::Match::PERCENTAGE);
  EXPECT_TRUE(match.reference_rule_match());
  EXPECT_EQ(match.segment_seconds(), 0);
  ASSERT_EQ(match.target_ranges_size(), 1);
  EXPECT_EQ(match.target_ranges(0).start_seconds(), 12);
  EXPECT_EQ(match.target_ranges(0).end_seconds(), 16);
}

TEST(VideoVerdictTest, FillReplacesRangesAndCopiesPercentages) {
  VideoVerdict verdict;
  verdict.decision = v1::REVIEW;
  verdict.rule = v1::Match::PERCENTAGE;
  verdict.comparison.query_pct = 90;
  verdict.comparison.target_pct = 10;
  verdict.comparison.query_ranges = {{0, 3}, {5, 7}};
  verdict.comparison.target_ranges = {{20, 27}};
  v1::Match match;
  match.add_query_ranges()->set_start_seconds(99);
  match.set_segment_seconds(4);
  FillVideoMatch(verdict, &match);
  EXPECT_EQ(match.video_rule(), v1::Match::PERCENTAGE);
  EXPECT_DOUBLE_EQ(match.query_pct(), 90);
  EXPECT_DOUBLE_EQ(match.target_pct(), 10);
  ASSERT_EQ(match.query_ranges_size(), 2);
  EXPECT_EQ(match.query_ranges(1).start_seconds(), 5);
  EXPECT_EQ(match.query_ranges(1).end_seconds(), 7);
  ASSERT_EQ(match.target_ranges_size(), 1);
  EXPECT_EQ(match.segment_seconds(), 0);
}

}  // namespace
}  // namespace clearmatch
