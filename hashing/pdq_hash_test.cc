#include "hashing/pdq_hash.h"

#include <random>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

constexpr char kHex[] =
    "d8f871cec0f4a84f0a370822038f67f0b36e2ed596633e1d33e6b39c4e9c9b22";

TEST(PdqHashTest, HexRoundTripIsLowercase) {
  auto hash = PdqHash::FromHex(kHex);
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_EQ(hash->ToHex(), kHex);
  std::string upper = kHex;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  auto from_upper = PdqHash::FromHex(upper);
  ASSERT_TRUE(from_upper.ok());
  EXPECT_EQ(from_upper->ToHex(), kHex);
}

TEST(PdqHashTest, BitKIsBitKOfTheBigEndianHexNumber) {
  // Bit 0 is the lowest bit of the last hex digit; bit 255 the highest of the
  // first.
  PdqHash low;
  low.SetBit(0);
  EXPECT_EQ(low.ToHex(), std::string(63, '0') + "1");
  PdqHash high;
  high.SetBit(255);
  EXPECT_EQ(high.ToHex(), "8" + std::string(63, '0'));
  PdqHash word1;
  word1.SetBit(16);  // the lowest bit of 16-bit word w[1]
  EXPECT_EQ(word1.ToHex(), std::string(59, '0') + "10000");
  for (int k = 0; k < PdqHash::kBits; ++k) {
    PdqHash h;
    h.SetBit(k);
    for (int j = 0; j < PdqHash::kBits; ++j) ASSERT_EQ(h.Bit(j), j == k);
  }
}

TEST(PdqHashTest, RejectsBadHex) {
  auto short_hex = PdqHash::FromHex("abc");
  EXPECT_EQ(short_hex.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(short_hex.status().message(),
              HasSubstr("has 3 hex digits, expected 64"));
  std::string bad = kHex;
  bad[10] = 'g';
  auto bad_char = PdqHash::FromHex(bad);
  EXPECT_EQ(bad_char.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_char.status().message(), HasSubstr("position 11"));
  EXPECT_FALSE(PdqHash::FromHex(std::string(kHex) + "0").ok());
  EXPECT_FALSE(PdqHash::FromHex("").ok());
}

TEST(PdqHashTest, DistanceCountsEveryFlippedBit) {
  std::mt19937 rng(7);
  std::array<uint8_t, 32> bytes;
  for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  const PdqHash base(bytes);
  std::vector<int> order(PdqHash::kBits);
  for (int k = 0; k < PdqHash::kBits; ++k) order[k] = k;
  std::shuffle(order.begin(), order.end(), rng);
  PdqHash flipped = base;
  EXPECT_EQ(base.DistanceTo(flipped), 0);
  for (int n = 1; n <= PdqHash::kBits; ++n) {
    // Flip one more bit: toggle via a second hash with that bit set.
    const int k = order[n - 1];
    std::array<uint8_t, 32> b = flipped.bytes();
    b[31 - k / 8] ^= uint8_t(1u << (k % 8));
    flipped = PdqHash(b);
    ASSERT_EQ(base.DistanceTo(flipped), n);
    ASSERT_EQ(flipped.DistanceTo(base), n);
  }
  PdqHash zero;
  PdqHash ones(std::array<uint8_t, 32>{
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  EXPECT_EQ(zero.DistanceTo(ones), 256);
}

}  // namespace
}  // namespace clearmatch
