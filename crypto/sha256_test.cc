#include "crypto/sha256.h"

#include <string>

#include "common/hex.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

std::string Hex(const Sha256::Digest& digest) {
  return BytesToHex(std::string_view(
      reinterpret_cast<const char*>(digest.data()), digest.size()));
}

// FIPS 180-2 test vectors.
TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Hex(*Sha256::Of("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(*Sha256::Of("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, IncrementalEqualsOneCall) {
  std::string bytes;
  for (int i = 0; i < 100000; ++i) bytes.push_back(static_cast<char>(i * 7));
  Sha256 hasher;
  hasher.Update(absl::string_view(bytes).substr(0, 1));
  hasher.Update(absl::string_view(bytes).substr(1, 65535));
  hasher.Update("");
  hasher.Update(absl::string_view(bytes).substr(65536));
  auto digest = hasher.Finish();
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(*digest, *Sha256::Of(bytes));
  EXPECT_NE(*digest, *Sha256::Of(absl::string_view(bytes).substr(1)));
}

TEST(Sha256Test, SecondFinishIsAnError) {
  Sha256 hasher;
  hasher.Update("abc");
  ASSERT_TRUE(hasher.Finish().ok());
  EXPECT_EQ(hasher.Finish().status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace clearmatch
