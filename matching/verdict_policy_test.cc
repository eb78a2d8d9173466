// The verdict rules, with expected decisions from docs/DAEMON.md's table.
#include "matching/verdict_policy.h"

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::DaemonConfig Config(const std::string& text) {
  v1::DaemonConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config))
      << text;
  return config;
}

TEST(VerdictPolicyTest, DefaultsFollowTheReference) {
  absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create({});
  ASSERT_TRUE(policy.ok());
  const BankPolicy& bank = policy->ForBank("any");
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, bank, 31, 50), v1::BLOCK);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::RESCAN, bank, 0, 100), v1::TAKEDOWN);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, bank, 32, 100), v1::ALLOW);
  // Below quality 50 nothing acts automatically; below 10 nothing matches.
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, bank, 0, 49), v1::REVIEW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, bank, 0, 10), v1::REVIEW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, bank, 0, 9), v1::ALLOW);
  EXPECT_EQ(policy->SearchDistance(), 31);
  EXPECT_TRUE(policy->WantsDihedral(v1::CheckOptions::DIHEDRAL_DEFAULT));
  EXPECT_EQ(bank.min_segment_seconds, 3);
}

TEST(VerdictPolicyTest, PerBankReviewBandAndActions) {
  absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create(Config(R"(
    default_policy { auto_distance: 10 review_distance: 20 }
    banks { bank: "strict" policy { auto_distance: 4 upload_action: REVIEW } }
  )"));
  ASSERT_TRUE(policy.ok()) << policy.status();
  const BankPolicy& other = policy->ForBank("other");
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, other, 10, 100), v1::BLOCK);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, other, 11, 100), v1::REVIEW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, other, 21, 100), v1::ALLOW);
  const BankPolicy& strict = policy->ForBank("strict");
  EXPECT_EQ(strict.review_distance, 20);  // inherited from the default
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, strict, 3, 100), v1::REVIEW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::RESCAN, strict, 3, 100), v1::TAKEDOWN);
  EXPECT_EQ(policy->SearchDistance(), 20);
}

TEST(VerdictPolicyTest, ReviewBandReachesAboveTheMatchThreshold) {
  absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create(Config(R"(
    banks { bank: "wide" policy { review_distance: 47 } }
  )"));
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(VerdictPolicy::kMaxReviewDistance, 47);
  const BankPolicy& wide = policy->ForBank("wide");
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, wide, 31, 100), v1::BLOCK);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, wide, 32, 100), v1::REVIEW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, wide, 47, 100), v1::REVIEW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, wide, 48, 100), v1::ALLOW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, policy->ForBank("x"), 32, 100),
            v1::ALLOW);
  EXPECT_EQ(policy->SearchDistance(), 47);
}

TEST(VerdictPolicyTest, BelowReviewMinQualityAHashMatchesNothing) {
  absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create(Config(R"(
    default_policy { review_min_quality: 30 review_distance: 40 }
    banks { bank: "all" policy { review_min_quality: 0 } }
  )"));
  ASSERT_TRUE(policy.ok()) << policy.status();
  const BankPolicy& other = policy->ForBank("other");
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, other, 0, 29), v1::ALLOW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, other, 0, 30), v1::REVIEW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, other, 40, 49), v1::REVIEW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, other, 41, 49), v1::ALLOW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, other, 0, 50), v1::BLOCK);
  const BankPolicy& all = policy->ForBank("all");
  EXPECT_EQ(all.review_distance, 40);  // inherited from the default
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, all, 0, 0), v1::REVIEW);
  // review_min_quality may equal min_quality: no low-quality match at all.
  policy = VerdictPolicy::Create(Config(R"(
    default_policy { min_quality: 70 review_min_quality: 70 }
  )"));
  ASSERT_TRUE(policy.ok()) << policy.status();
  const BankPolicy& strict = policy->ForBank("x");
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, strict, 0, 69), v1::ALLOW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, strict, 0, 70), v1::BLOCK);
}

TEST(VerdictPolicyTest, MoreSevereOrdersDecisions) {
  EXPECT_EQ(MoreSevere(v1::ALLOW, v1::REVIEW), v1::REVIEW);
  EXPECT_EQ(MoreSevere(v1::BLOCK, v1::REVIEW), v1::BLOCK);
  EXPECT_EQ(MoreSevere(v1::BLOCK, v1::TAKEDOWN), v1::TAKEDOWN);
  EXPECT_EQ(MoreSevere(v1::DECISION_UNSPECIFIED, v1::ALLOW), v1::ALLOW);
}

TEST(VerdictPolicyTest, BadValuesNameTheirKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"default_policy { auto_distance: 32 }", "default_policy.auto_distance"},
      {"banks { bank: \"b\" policy { auto_distance: 10 review_distance: 5 } }",
       "banks[0].policy.review_distance"},
      {"banks { bank: \"b\" policy { review_distance: 48 } }",
       "banks[0].policy.review_distance"},
      {"default_policy { review_distance: 64 }",
       "default_policy.review_distance"},
      {"banks { bank: \"b\" policy { min_quality: 40 } }",
       "banks[0].policy.min_quality"},
      {"banks { bank: \"b\" policy { review_min_quality: -1 } }",
       "banks[0].policy.review_min_quality"},
      {"default_policy { min_quality: 60 review_min_quality: 61 }",
       "default_policy.review_min_quality"},
      {"banks { bank: \"b\" policy { vpdq_query_pct: 101 } }",
       "banks[0].policy.vpdq_query_pct"},
      {"banks { bank: \"b\" policy { upload_action: DECISION_UNSPECIFIED } }",
       "banks[0].policy.upload_action"},
      {"banks { bank: \"b\" } banks { bank: \"b\" }", "banks[1].bank"},
      {"banks { policy { shadow: true } }", "banks[0].bank"},
      {"default_policy { min_segment_seconds: -1 }",
       "default_policy.min_segment_seconds"},
      {"banks { bank: \"b\" policy { min_segment_seconds: nan } }",
       "banks[0].policy.min_segment_seconds"},
      {"banks { bank: \"b\" policy { min_segment_seconds: inf } }",
       "banks[0].policy.min_segment_seconds"},
      {"banks { bank: \"b\" policy { min_segment_seconds: 14401 } }",
       "banks[0].policy.min_segment_seconds"},
  };
  for (const auto& [text, key] : cases) {
    absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create(Config(text));
    ASSERT_FALSE(policy.ok()) << text;
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(policy.status().message(), HasSubstr(key)) << text;
  }
}

TEST(VerdictPolicyTest, DihedralVariantsCountWhereTheBankOrRequestSays) {
  BankPolicy on, off;
  off.dihedral = false;
  const auto rot90 = DihedralTransform::kRotate90;
  const auto original = DihedralTransform::kOriginal;
  using Options = v1::CheckOptions;
  EXPECT_TRUE(
      VerdictPolicy::CountsTransform(Options::DIHEDRAL_DEFAULT, on, rot90));
  EXPECT_FALSE(
      VerdictPolicy::CountsTransform(Options::DIHEDRAL_DEFAULT, off, rot90));
  EXPECT_TRUE(VerdictPolicy::CountsTransform(Options::DIHEDRAL_ON, off, rot90));
  EXPECT_FALSE(
      VerdictPolicy::CountsTransform(Options::DIHEDRAL_OFF, on, rot90));
  EXPECT_TRUE(
      VerdictPolicy::CountsTransform(Options::DIHEDRAL_OFF, off, original));

  absl::StatusOr<VerdictPolicy> none =
      VerdictPolicy::Create(Config("default_policy { dihedral: false }"));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->WantsDihedral(Options::DIHEDRAL_DEFAULT));
  EXPECT_TRUE(none->WantsDihedral(Options::DIHEDRAL_ON));
  absl::StatusOr<VerdictPolicy> one = VerdictPolicy::Create(
      Config("default_policy { dihedral: false } "
             "banks { bank: \"b\" policy { dihedral: true } }"));
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->WantsDihedral(Options::DIHEDRAL_DEFAULT));
  EXPECT_FALSE(one->WantsDihedral(Options::DIHEDRAL_OFF));
}

TEST(VerdictPolicyTest, TrimmedHashesCountWhereTheBankOrRequestSays) {
  BankPolicy on, off;
  EXPECT_TRUE(on.trim);  // on by default
  off.trim = false;
  using Options = v1::CheckOptions;
  EXPECT_TRUE(VerdictPolicy::CountsTrim(Options::TRIM_DEFAULT, on));
  EXPECT_FALSE(VerdictPolicy::CountsTrim(Options::TRIM_DEFAULT, off));
  EXPECT_TRUE(VerdictPolicy::CountsTrim(Options::TRIM_ON, off));
  EXPECT_FALSE(VerdictPolicy::CountsTrim(Options::TRIM_OFF, on));

  absl::StatusOr<VerdictPolicy> defaults = VerdictPolicy::Create(Config(""));
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->WantsTrim(Options::TRIM_DEFAULT));
  EXPECT_TRUE(defaults->ForBank("any").trim);
  EXPECT_FALSE(defaults->WantsTrim(Options::TRIM_OFF));
  absl::StatusOr<VerdictPolicy> none =
      VerdictPolicy::Create(Config("default_policy { trim: false }"));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->WantsTrim(Options::TRIM_DEFAULT));
  EXPECT_TRUE(none->WantsTrim(Options::TRIM_ON));
  absl::StatusOr<VerdictPolicy> one = VerdictPolicy::Create(
      Config("default_policy { trim: false } "
             "banks { bank: \"b\" policy { trim: true } }"));
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->WantsTrim(Options::TRIM_DEFAULT));
  EXPECT_TRUE(one->ForBank("b").trim);
  EXPECT_FALSE(one->ForBank("other").trim);
}

// A hash far (about 128 bits) from those of other seeds.
PdqHash RandomHash(int seed) {
  std::mt19937 rng(seed);
  std::array<uint8_t, PdqHash::kBytes> bytes;
  for (uint8_t& byte : bytes) byte = static_cast<uint8_t>(rng());
  return PdqHash(bytes);
}

// `count` one-second frames of hashes RandomHash(first_seed + i) with
// `flipped` bits inverted.
std::vector<VpdqFeature> Frames(int count, int flipped, int first_seed = 0) {
  std::vector<VpdqFeature> frames;
  for (int i = 0; i < count; ++i) {
    std::array<uint8_t, PdqHash::kBytes> bytes =
        RandomHash(first_seed + i).bytes();
    for (int bit = 0; bit < flipped; ++bit) bytes[bit / 8] ^= 1 << (bit % 8);
    frames.push_back({i, 100, PdqHash(bytes), static_cast<double>(i)});
  }
  return frames;
}

TEST(VerdictPolicyTest, VideoActsAtAutoDistanceAndReviewsInTheBand) {
  BankPolicy bank;
  bank.auto_distance = 10;
  bank.review_distance = 20;
  const std::vector<VpdqFeature> target = Frames(10, 0);
  const VideoVerdict same =
      VerdictPolicy::DecideVideo(v1::RESCAN, bank, Frames(10, 0), target);
  EXPECT_EQ(same.decision, v1::TAKEDOWN);
  EXPECT_EQ(same.rule, v1::Match::PERCENTAGE);
  EXPECT_TRUE(same.reference_rule_match);
  EXPECT_DOUBLE_EQ(same.comparison.query_pct, 100);
  const VideoVerdict band =
      VerdictPolicy::DecideVideo(v1::UPLOAD, bank, Frames(10, 15), target);
  EXPECT_EQ(band.decision, v1::REVIEW);
  EXPECT_EQ(band.rule, v1::Match::PERCENTAGE);
  EXPECT_FALSE(band.reference_rule_match);
  const VideoVerdict far =
      VerdictPolicy::DecideVideo(v1::UPLOAD, bank, Frames(10, 25), target);
  EXPECT_EQ(far.decision, v1::ALLOW);
  EXPECT_EQ(far.rule, v1::Match::VIDEO_RULE_NONE);
  // 5 of 10 upload frames match: under the 80% the reference asks for. A
  // 5 s segment of the banked video: REVIEW by the segment rule, ALLOW
  // without it (video_verdict_test.cc has the segment rules).
  std::vector<VpdqFeature> half = Frames(5, 0);
  for (VpdqFeature& f : Frames(5, 0, 100)) half.push_back(f);
  const VideoVerdict segment =
      VerdictPolicy::DecideVideo(v1::UPLOAD, bank, half, target);
  EXPECT_EQ(segment.decision, v1::REVIEW);
  EXPECT_FALSE(segment.reference_rule_match);
  bank.min_segment_seconds = 0;
  EXPECT_EQ(VerdictPolicy::DecideVideo(v1::UPLOAD, bank, half, target).decision,
            v1::ALLOW);
}

class FakeAllowlist : public Allowlist {
 public:
  bool Contains(const v1::Hashes& content, bool hashes_from_caller,
                const v1::Match& match) const override {
    return !hashes_from_caller && content.md5() == "aa" &&
           match.entry_id() == "cleared";
  }
};

v1::Match MatchOf(const std::string& entry, v1::Decision decision,
                  bool shadow) {
  v1::Match match;
  match.set_entry_id(entry);
  match.set_decision(decision);
  match.set_shadow(shadow);
  return match;
}

TEST(VerdictPolicyTest, ConcludeDropsAllowlistedAndIgnoresShadow) {
  FakeAllowlist allowlist;
  v1::Hashes content;
  content.set_md5("aa");
  std::vector<v1::Match> matches = {MatchOf("cleared", v1::TAKEDOWN, false),
                                    MatchOf("watch", v1::BLOCK, true),
                                    MatchOf("kept", v1::REVIEW, false)};
  EXPECT_EQ(VerdictPolicy::Conclude(content, false, &allowlist, matches),
            v1::REVIEW);
  std::vector<std::string> left;
  for (const v1::Match& m : matches) left.push_back(m.entry_id());
  EXPECT_THAT(left, ElementsAre("watch", "kept"));

  std::vector<v1::Match> shadow_only = {MatchOf("watch", v1::BLOCK, true)};
  EXPECT_EQ(VerdictPolicy::Conclude(content, false, nullptr, shadow_only),
            v1::ALLOW);
  EXPECT_EQ(shadow_only.size(), 1u);  // still reported

  v1::Hashes other;
  other.set_md5("bb");
  std::vector<v1::Match> again = {MatchOf("cleared", v1::TAKEDOWN, false)};
  EXPECT_EQ(VerdictPolicy::Conclude(other, false, &allowlist, again),
            v1::TAKEDOWN);
  // Whether the hashes came from the caller reaches the allowlist.
  std::vector<v1::Match> from_caller = {
      MatchOf("cleared", v1::TAKEDOWN, false)};
  EXPECT_EQ(VerdictPolicy::Conclude(content, true, &allowlist, from_caller),
            v1::TAKEDOWN);
}

}  // namespace
}  // namespace clearmatch
