#include "common/hex.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

TEST(HexTest, ParsesEitherCase) {
  auto bytes = ParseHexBytes("00ff7Fa0", 4, "test hash");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, std::string("\x00\xff\x7f\xa0", 4));
  EXPECT_EQ(*ParseHexBytes("", 0, "empty"), "");
}

TEST(HexTest, NamesWrongLengthAndBadCharacter) {
  auto short_hex = ParseHexBytes("abc", 2, "md5 hash");
  EXPECT_EQ(short_hex.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(short_hex.status().message(),
              HasSubstr("md5 hash has 3 hex digits, expected 4"));
  auto bad = ParseHexBytes("00g0", 2, "sha1 hash");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(),
              HasSubstr("sha1 hash has a non-hex character at position 3"));
  EXPECT_FALSE(ParseHexBytes("0x00", 2, "x").ok());
  EXPECT_FALSE(ParseHexBytes(" 000", 2, "x").ok());
}

TEST(HexTest, FormatsLowercaseAndRoundTrips) {
  EXPECT_EQ(BytesToHex(std::string("\x00\xff\x7f\xa0", 4)), "00ff7fa0");
  EXPECT_EQ(BytesToHex(""), "");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::string hex = BytesToHex(all);
  EXPECT_EQ(hex.substr(2 * 0xab, 2), "ab");
  auto back = ParseHexBytes(hex, all.size(), "all bytes");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, all);
}

TEST(HexTest, LowercaseHexIsOnlyDigitsAndLowercaseLetters) {
  EXPECT_TRUE(IsLowercaseHex("0123456789abcdef"));
  EXPECT_TRUE(IsLowercaseHex(""));
  EXPECT_FALSE(IsLowercaseHex("00AB"));
  EXPECT_FALSE(IsLowercaseHex("00g0"));
  EXPECT_FALSE(IsLowercaseHex("00 0"));
}

}  // namespace
}  // namespace clearmatch
