#include "hashing/vpdq_matcher.h"

#include <fstream>
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

}  // namespace
}  // namespace clearmatch
