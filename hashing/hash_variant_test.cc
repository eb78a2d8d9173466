#include "hashing/hash_variant.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

TEST(HashVariantTest, NamesRoundTrip) {
  for (bool trimmed : {false, true}) {
    for (int t = 0; t < kDihedralCount; ++t) {
      const HashVariant variant{static_cast<DihedralTransform>(t), trimmed};
      const std::string name = HashVariantName(variant);
      absl::StatusOr<HashVariant> parsed = ParseHashVariant(name);
      ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.status();
      EXPECT_EQ(*parsed, variant) << name;
    }
  }
}

TEST(HashVariantTest, CompositeNames) {
  EXPECT_EQ(HashVariantName({}), "original");
  EXPECT_EQ(HashVariantName({DihedralTransform::kFlipX, false}), "flipx");
  EXPECT_EQ(HashVariantName({DihedralTransform::kOriginal, true}), "trimmed");
  EXPECT_EQ(HashVariantName({DihedralTransform::kRotate90, true}),
            "trimmed+rot90");
  EXPECT_EQ(*ParseHashVariant(""), HashVariant{});
  EXPECT_EQ(*ParseHashVariant("trimmed+original"),
            (HashVariant{DihedralTransform::kOriginal, true}));
}

TEST(HashVariantTest, UnknownNamesAreRefused) {
  for (const char* name : {"trimmed+", "flipz", "trimmedflipx", "flipx+trimmed",
                           "trimmed+trimmed", "Original"}) {
    absl::StatusOr<HashVariant> parsed = ParseHashVariant(name);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << name;
    EXPECT_THAT(parsed.status().message(), HasSubstr("unknown transform"));
  }
}

}  // namespace
}  // namespace clearmatch
