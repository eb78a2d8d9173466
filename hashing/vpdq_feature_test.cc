#include "hashing/vpdq_feature.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

constexpr char kHash[] =
    "df83b48f2ad34d68169c36bc6d2f6b36ce5ed08701a301e9cbb9fc12f80b8154";

TEST(VpdqFeatureTest, ParsesReferenceLine) {
  absl::StatusOr<VpdqFeature> f =
      ParseVpdqFeature(std::string("30,100,") + kHash + ",1.000\n");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->frame_number, 30);
  EXPECT_EQ(f->quality, 100);
  EXPECT_EQ(f->hash.ToHex(), kHash);
  EXPECT_DOUBLE_EQ(f->seconds, 1.0);
}

TEST(VpdqFeatureTest, FormatsWithThreeDecimals) {
  VpdqFeature f{.frame_number = 7,
                .quality = 49,
                .hash = *PdqHash::FromHex(kHash),
                .seconds = 7.0 / 30};
  EXPECT_EQ(FormatVpdqFeature(f), std::string("7,49,") + kHash + ",0.233");
}

TEST(VpdqFeatureTest, ReferenceFilesRoundTrip) {
  for (const char* name : {"vpdq/reference_r1/chair-19-sd-bar.txt",
                           "vpdq/meta_sample_hashes/doorknob-hd-no-bar.txt"}) {
    std::istringstream in(testing::ReadTextFile(testing::TestdataPath(name)));
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<std::vector<VpdqFeature>> features =
        ParseVpdqFeatures(text.str());
    ASSERT_TRUE(features.ok()) << name << ": " << features.status();
    EXPECT_GT(features->size(), 3u);
    EXPECT_EQ(FormatVpdqFeatures(*features), text.str()) << name;
  }
}

TEST(VpdqFeatureTest, RejectsMalformedLinesNamingTheField) {
  const std::string h = kHash;
  struct Case {
    std::string line;
    std::string expected_substring;
  } cases[] = {
      {"", "4 comma-separated fields"},
      {"1,2,3", "4 comma-separated fields"},
      {"x,100," + h + ",1.0", "frame number"},
      {"-1,100," + h + ",1.0", "frame number"},
      {"1,101," + h + ",1.0", "quality"},
      {"1,-1," + h + ",1.0", "quality"},
      {"1,100,abc,1.0", "hash"},
      {"1,100," + h + ",nan", "seconds"},
      {"1,100," + h + ",-2", "seconds"},
      {"1,100," + h + ",1.0,extra", "4 comma-separated fields"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<VpdqFeature> f = ParseVpdqFeature(c.line);
    ASSERT_FALSE(f.ok()) << c.line;
    EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(f.status().message().find(c.expected_substring),
              std::string::npos)
        << c.line << " -> " << f.status();
  }
}

TEST(VpdqFeatureTest, FileErrorNamesTheLine) {
  absl::StatusOr<std::vector<VpdqFeature>> f = ParseVpdqFeatures(
      std::string("0,100,") + kHash + ",0.000\n\n2,bad," + kHash + ",1.0\n");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("line 3"), std::string::npos)
      << f.status();
}

}  // namespace
}  // namespace clearmatch
