#include "hashing/vpdq_matcher.h"

#include <array>
#include <cstdint>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

#include "gtest/gtest.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

// A hash with bits [first, first + count) set: Hash(0, a) and Hash(0, b) are
// |a - b| apart; Hash(0, 0) and Hash(128, 128) are 128 apart.
PdqHash Hash(int first, int count) {
  PdqHash h;
  for (int k = first; k < first + count; ++k) h.SetBit(k);
  return h;
}

VpdqFeature Frame(int64_t n, PdqHash hash, int quality = 100) {
  return {.frame_number = n,
          .quality = quality,
          .hash = hash,
          .seconds = static_cast<double>(n)};
}

TEST(VpdqMatcherTest, Distance31MatchesAnd32DoesNot) {
  const std::vector<VpdqFeature> query = {Frame(0, Hash(0, 0))};
  VpdqMatchOptions options;
  VpdqMatchResult at31 = MatchVpdq(query, {Frame(0, Hash(0, 31))}, options);
  EXPECT_EQ(at31.query_pct, 100);
  EXPECT_EQ(at31.target_pct, 100);
  EXPECT_TRUE(at31.is_match);
  VpdqMatchResult at32 = MatchVpdq(query, {Frame(0, Hash(0, 32))}, options);
  EXPECT_EQ(at32.query_pct, 0);
  EXPECT_EQ(at32.target_pct, 0);
  EXPECT_FALSE(at32.is_match);

  options.max_distance = 32;
  EXPECT_TRUE(MatchVpdq(query, {Frame(0, Hash(0, 32))}, options).is_match);
}

TEST(VpdqMatcherTest, Quality49IsDroppedAnd50Kept) {
  VpdqMatchOptions options;
  const std::vector<VpdqFeature> target = {Frame(0, Hash(0, 0))};
  VpdqMatchResult q49 = MatchVpdq({Frame(0, Hash(0, 0), 49)}, target, options);
  EXPECT_EQ(q49.unique_query_hashes, 0);
  EXPECT_FALSE(q49.is_match);
  VpdqMatchResult q50 = MatchVpdq({Frame(0, Hash(0, 0), 50)}, target, options);
  EXPECT_EQ(q50.unique_query_hashes, 1);
  EXPECT_TRUE(q50.is_match);
  // Low-quality target frames are dropped too.
  EXPECT_EQ(MatchVpdq(target, {Frame(0, Hash(0, 0), 49)}, options)
                .unique_target_hashes,
            0);
  options.min_quality = 40;
  EXPECT_TRUE(MatchVpdq({Frame(0, Hash(0, 0), 49)}, target, options).is_match);
}

TEST(VpdqMatcherTest, DuplicatesCountOnce) {
  // Query: A A A B (unique: A, B). Target: A only. A matches, B does not.
  const PdqHash a = Hash(0, 0), b = Hash(128, 128);
  const std::vector<VpdqFeature> query = {Frame(0, a), Frame(1, a), Frame(2, a),
                                          Frame(3, b)};
  const std::vector<VpdqFeature> target = {Frame(0, a), Frame(5, a)};
  VpdqMatchResult r = MatchVpdq(query, target, VpdqMatchOptions{});
  EXPECT_EQ(r.unique_query_hashes, 2);
  EXPECT_EQ(r.matched_query_hashes, 1);
  EXPECT_EQ(r.unique_target_hashes, 1);
  EXPECT_DOUBLE_EQ(r.query_pct, 50);
  EXPECT_DOUBLE_EQ(r.target_pct, 100);
  EXPECT_FALSE(r.is_match);  // Q = 80 by default
  EXPECT_EQ(r.query_ranges, (std::vector<VpdqTimeRange>{{0, 2}}));
  // Consecutive in the list (1 s sampling may skip frames), so one range.
  EXPECT_EQ(r.target_ranges, (std::vector<VpdqTimeRange>{{0, 5}}));
}

TEST(VpdqMatcherTest, ThresholdsAreInclusiveAndConfigurable) {
  const PdqHash a = Hash(0, 0), b = Hash(128, 128);
  // Query 4 unique, 3 match: 75 %. Target 1 unique, matched: 100 %.
  const std::vector<VpdqFeature> query = {Frame(0, a), Frame(1, Hash(0, 1)),
                                          Frame(2, Hash(0, 2)), Frame(3, b)};
  const std::vector<VpdqFeature> target = {Frame(0, a)};
  VpdqMatchOptions options{.query_pct_threshold = 75,
                           .target_pct_threshold = 100};
  VpdqMatchResult r = MatchVpdq(query, target, options);
  EXPECT_DOUBLE_EQ(r.query_pct, 75);
  EXPECT_TRUE(r.is_match);
  options.query_pct_threshold = 76;
  EXPECT_FALSE(MatchVpdq(query, target, options).is_match);
  // The README setting: Q = 0, T = 80, seen from the other side.
  VpdqMatchOptions readme{.query_pct_threshold = 0, .target_pct_threshold = 80};
  VpdqMatchResult reverse = MatchVpdq(target, query, readme);
  EXPECT_DOUBLE_EQ(reverse.query_pct, 100);
  EXPECT_DOUBLE_EQ(reverse.target_pct, 75);
  EXPECT_FALSE(reverse.is_match);
}

TEST(VpdqMatcherTest, EmptyListsNeverMatch) {
  VpdqMatchOptions anything{.query_pct_threshold = 0,
                            .target_pct_threshold = 0};
  const std::vector<VpdqFeature> one = {Frame(0, Hash(0, 0))};
  for (const auto& [q, t] :
       {std::pair{std::vector<VpdqFeature>{}, std::vector<VpdqFeature>{}},
        std::pair{one, std::vector<VpdqFeature>{}},
        std::pair{std::vector<VpdqFeature>{}, one}}) {
    VpdqMatchResult r = MatchVpdq(q, t, anything);
    EXPECT_FALSE(r.is_match);
    EXPECT_EQ(r.query_pct, 0);
    EXPECT_EQ(r.target_pct, 0);
    EXPECT_TRUE(r.query_ranges.empty());
    EXPECT_TRUE(r.target_ranges.empty());
  }
}

TEST(VpdqMatcherTest, RangesMergeConsecutiveMatchedFrames) {
  const PdqHash a = Hash(0, 0), b = Hash(128, 128);
  // Matched, matched, low quality (breaks), matched, unmatched, matched.
  const std::vector<VpdqFeature> query = {
      Frame(0, a), Frame(1, Hash(0, 3)), Frame(2, a, 10),
      Frame(3, a), Frame(4, b),          Frame(5, Hash(0, 31))};
  VpdqMatchResult r = MatchVpdq(query, {Frame(9, a)}, VpdqMatchOptions{});
  EXPECT_EQ(r.query_ranges,
            (std::vector<VpdqTimeRange>{{0, 1}, {3, 3}, {5, 5}}));
  EXPECT_EQ(r.target_ranges, (std::vector<VpdqTimeRange>{{9, 9}}));
}

TEST(VpdqMatcherTest, ImageMatchesFramesWithinDistance) {
  const std::vector<VpdqFeature> video = {
      Frame(0, Hash(128, 128)), Frame(1, Hash(0, 31)), Frame(2, Hash(0, 0)),
      Frame(3, Hash(0, 32)), Frame(4, Hash(0, 0), 49)};
  VpdqImageMatch m =
      MatchImageToVpdq(Hash(0, 0), 100, video, VpdqMatchOptions{});
  ASSERT_EQ(m.frames.size(), 2u);
  EXPECT_EQ(m.frames[0].frame_number, 1);
  EXPECT_EQ(m.frames[1].frame_number, 2);
  EXPECT_EQ(m.ranges, (std::vector<VpdqTimeRange>{{1, 2}}));
  // A low-quality image never matches.
  EXPECT_TRUE(MatchImageToVpdq(Hash(0, 0), 49, video, VpdqMatchOptions{})
                  .frames.empty());
}

std::vector<VpdqFeature> ReadFeatures(const std::string& relative) {
  std::istringstream in(testing::ReadTextFile(testing::TestdataPath(relative)));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<VpdqFeature>> f = ParseVpdqFeatures(text.str());
  EXPECT_TRUE(f.ok()) << relative << ": " << f.status();
  return f.ok() ? *f : std::vector<VpdqFeature>{};
}

TEST(VpdqMatcherTest, ReferenceHashesMatchMetaSampleHashesOfSameVideo) {
  // One hash per second (this machine's FFmpeg) against every frame (Meta's
  // older FFmpeg): the same video must match both ways; different videos of
  // the set must not reach Q = 80.
  const char* names[] = {"chair-19-sd-bar", "doorknob-hd-no-bar",
                         "pattern-hd-no-bar"};
  for (const char* q : names) {
    const auto query =
        ReadFeatures(std::string("vpdq/reference_r1/") + q + ".txt");
    for (const char* t : names) {
      const auto target =
          ReadFeatures(std::string("vpdq/meta_sample_hashes/") + t + ".txt");
      VpdqMatchResult r = MatchVpdq(query, target, VpdqMatchOptions{});
      if (std::string(q) == t) {
        EXPECT_EQ(r.query_pct, 100) << q;
        EXPECT_TRUE(r.is_match) << q;
      } else {
        EXPECT_FALSE(r.is_match) << q << " vs " << t;
      }
    }
  }
}

// Segment finder. Distinct content: hashes about 128 bits apart.
PdqHash Content(int seed) {
  std::mt19937 rng(seed + 1000);
  std::array<uint8_t, PdqHash::kBytes> bytes;
  for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(rng());
  return PdqHash(bytes);
}

// Frames of Content(seeds[i]) at first_second + i * interval.
std::vector<VpdqFeature> Video(const std::vector<int>& seeds,
                               double first_second = 0, double interval = 1) {
  std::vector<VpdqFeature> frames;
  for (size_t i = 0; i < seeds.size(); ++i) {
    frames.push_back({static_cast<int64_t>(i), 100, Content(seeds[i]),
                      first_second + static_cast<double>(i) * interval});
  }
  return frames;
}

std::vector<int> Seeds(int first, int count) {
  std::vector<int> seeds;
  for (int i = 0; i < count; ++i) seeds.push_back(first + i);
  return seeds;
}

// `hash` with bits [0, count) inverted: `count` bits away from it.
PdqHash Flipped(const PdqHash& hash, int count) {
  std::array<uint8_t, PdqHash::kBytes> bytes = hash.bytes();
  for (int bit = 0; bit < count; ++bit) bytes[bit / 8] ^= 1 << (bit % 8);
  return PdqHash(bytes);
}

TEST(VpdqSegmentTest, ClipOfALongerVideoAtItsOffset) {
  const std::vector<VpdqFeature> banked = Video(Seeds(0, 30));
  const std::vector<VpdqFeature> clip = Video(Seeds(10, 5));  // 10 s..14 s
  std::optional<VpdqSegment> s = FindVpdqSegment(clip, banked, {});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->query_range, (VpdqTimeRange{0, 4}));
  EXPECT_EQ(s->target_range, (VpdqTimeRange{10, 14}));
  EXPECT_DOUBLE_EQ(s->query_seconds, 5);
  EXPECT_DOUBLE_EQ(s->target_seconds, 5);
  EXPECT_EQ(s->matched_frames, 5);
  EXPECT_DOUBLE_EQ(s->query_coverage_pct, 100);
  EXPECT_NEAR(s->target_coverage_pct, 100.0 * 5 / 30, 1e-9);
}

TEST(VpdqSegmentTest, BankedVideoInsideALongerUpload) {
  std::vector<int> upload = Seeds(500, 5);                // unrelated, 0..4 s
  for (int seed : Seeds(0, 10)) upload.push_back(seed);   // banked, 5..14 s
  for (int seed : Seeds(600, 5)) upload.push_back(seed);  // unrelated
  std::optional<VpdqSegment> s =
      FindVpdqSegment(Video(upload), Video(Seeds(0, 10)), {});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->query_range, (VpdqTimeRange{5, 14}));
  EXPECT_EQ(s->target_range, (VpdqTimeRange{0, 9}));
  EXPECT_DOUBLE_EQ(s->target_coverage_pct, 100);
  EXPECT_DOUBLE_EQ(s->query_coverage_pct, 50);
}

TEST(VpdqSegmentTest, SamplingOutOfPhaseAndAtAnotherRate) {
  // The bank sampled 10 times a second, content changing every second; the
  // upload once a second, half a second out of phase, from 12.5 s.
  std::vector<int> banked_seeds;
  for (int i = 0; i < 300; ++i) banked_seeds.push_back(i / 10);
  const std::vector<VpdqFeature> banked = Video(banked_seeds, 0, 0.1);
  std::vector<VpdqFeature> clip = Video(Seeds(12, 6), 0.5);
  std::optional<VpdqSegment> s = FindVpdqSegment(clip, banked, {});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->matched_frames, 6);
  EXPECT_DOUBLE_EQ(s->query_seconds, 6);
  EXPECT_NEAR(s->target_range.start_seconds, 12.5, 1.0);
  EXPECT_NEAR(s->target_range.end_seconds, 17.5, 1.0);
  EXPECT_NEAR(s->target_coverage_pct, 100.0 * 6 / 30, 100.0 / 30);
}

TEST(VpdqSegmentTest, ShortGapsAreBridgedLongOnesSplit) {
  // Banked 0..19; the clip loses one frame (7), then three (12..14).
  std::vector<int> seeds = Seeds(0, 20);
  seeds[7] = 700;
  seeds[12] = 712, seeds[13] = 713, seeds[14] = 714;
  std::optional<VpdqSegment> s =
      FindVpdqSegment(Video(seeds), Video(Seeds(0, 20)), {});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->query_range, (VpdqTimeRange{0, 11}));
  EXPECT_EQ(s->matched_frames, 11);
  EXPECT_DOUBLE_EQ(s->query_seconds, 12);
  // Two lost frames in a row are still bridged.
  seeds = Seeds(0, 10);
  seeds[4] = 704, seeds[5] = 705;
  s = FindVpdqSegment(Video(seeds), Video(Seeds(0, 10)), {});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->query_range, (VpdqTimeRange{0, 9}));
  EXPECT_EQ(s->matched_frames, 8);
}

TEST(VpdqSegmentTest, FramesAtInconsistentOffsetsAreNoSegment) {
  // Each upload frame is somewhere in the banked video, but shuffled.
  std::optional<VpdqSegment> s =
      FindVpdqSegment(Video({0, 10, 20, 5, 15, 25}), Video(Seeds(0, 30)), {});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->matched_frames, 1);
  EXPECT_DOUBLE_EQ(s->query_seconds, 1);
}

TEST(VpdqSegmentTest, RepeatedContentTakesTheEarliestLongestOffset) {
  // The banked video shows the same five shots twice.
  std::vector<int> twice = Seeds(0, 5);
  for (int seed : Seeds(0, 5)) twice.push_back(seed);
  std::optional<VpdqSegment> s =
      FindVpdqSegment(Video(Seeds(0, 5)), Video(twice), {});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->target_range, (VpdqTimeRange{0, 4}));
  EXPECT_DOUBLE_EQ(s->target_coverage_pct, 50);
  // The upload shows them twice: the longest run is one showing of them.
  s = FindVpdqSegment(Video(twice), Video(Seeds(0, 5)), {});
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->query_seconds, 5);
  EXPECT_DOUBLE_EQ(s->target_coverage_pct, 100);
}

TEST(VpdqSegmentTest, StaticVideoMatchesAtEveryOffset) {
  const std::vector<VpdqFeature> still = Video(std::vector<int>(10, 3));
  const std::vector<VpdqFeature> long_still = Video(std::vector<int>(30, 3));
  std::optional<VpdqSegment> s = FindVpdqSegment(still, long_still, {});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->query_range, (VpdqTimeRange{0, 9}));
  EXPECT_DOUBLE_EQ(s->query_seconds, 10);
  EXPECT_DOUBLE_EQ(s->target_seconds, 10);
  EXPECT_DOUBLE_EQ(s->query_coverage_pct, 100);
  EXPECT_NEAR(s->target_coverage_pct, 100.0 / 3, 1e-9);
}

TEST(VpdqSegmentTest, DistanceAndQualityAsForTheReferenceRule) {
  const std::vector<VpdqFeature> banked = Video(Seeds(0, 10));
  EXPECT_FALSE(FindVpdqSegment(Video(Seeds(100, 10)), banked, {}).has_value());
  EXPECT_FALSE(FindVpdqSegment({}, banked, {}).has_value());
  std::vector<VpdqFeature> dim = Video(Seeds(0, 10));
  for (VpdqFeature& frame : dim) frame.quality = 49;
  EXPECT_FALSE(FindVpdqSegment(dim, banked, {}).has_value());
  // 31 bits away matches at the default distance; 32 does not.
  std::vector<VpdqFeature> near = Video(Seeds(0, 10));
  for (VpdqFeature& frame : near) frame.hash = Flipped(frame.hash, 31);
  EXPECT_TRUE(FindVpdqSegment(near, banked, {}).has_value());
  near = Video(Seeds(0, 10));
  for (VpdqFeature& frame : near) frame.hash = Flipped(frame.hash, 32);
  EXPECT_FALSE(FindVpdqSegment(near, banked, {}).has_value());
  EXPECT_TRUE(FindVpdqSegment(near, banked, {.max_distance = 32}).has_value());
}

}  // namespace
}  // namespace clearmatch
