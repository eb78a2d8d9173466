#include "daemon/verdict_policy.h"

#include "daemon/daemon_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

v1::DaemonConfig Config(const std::string& text) {
  absl::StatusOr<v1::DaemonConfig> config = ParseDaemonConfig(text, "test");
  EXPECT_TRUE(config.ok()) << config.status();
  return *config;
}

TEST(VerdictPolicyTest, DefaultsFollowTheReference) {
  absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create({});
  ASSERT_TRUE(policy.ok());
  const BankPolicy& bank = policy->ForBank("any");
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, bank, 31, 50), v1::BLOCK);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::RESCAN, bank, 0, 100), v1::TAKEDOWN);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, bank, 32, 100), v1::ALLOW);
  // Below quality 50 nothing acts automatically.
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, bank, 0, 49), v1::REVIEW);
  EXPECT_EQ(policy->SearchDistance(), 31);
  EXPECT_TRUE(policy->AnyDihedral());
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
      {"banks { bank: \"b\" policy { min_quality: 40 } }",
       "banks[0].policy.min_quality"},
      {"banks { bank: \"b\" policy { vpdq_query_pct: 101 } }",
       "banks[0].policy.vpdq_query_pct"},
      {"banks { bank: \"b\" policy { upload_action: DECISION_UNSPECIFIED } }",
       "banks[0].policy.upload_action"},
      {"banks { bank: \"b\" } banks { bank: \"b\" }", "banks[1].bank"},
      {"banks { policy { shadow: true } }", "banks[0].bank"},
  };
  for (const auto& [text, key] : cases) {
    absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create(Config(text));
    ASSERT_FALSE(policy.ok()) << text;
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(policy.status().message(), HasSubstr(key)) << text;
  }
}

}  // namespace
}  // namespace clearmatch
