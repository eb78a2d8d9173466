#include "hashing/file_digests.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace clearmatch {
namespace {

FileDigests DigestsOf(const std::string& text) {
  auto digests = ComputeFileDigests(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  EXPECT_TRUE(digests.ok()) << digests.status();
  return *digests;
}

// Test vectors from RFC 1321, FIPS 180-2 examples and common references.
TEST(FileDigestsTest, EmptyInput) {
  FileDigests d = DigestsOf("");
  EXPECT_EQ(d.md5, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(d.sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(d.sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(FileDigestsTest, Abc) {
  FileDigests d = DigestsOf("abc");
  EXPECT_EQ(d.md5, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(d.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(FileDigestsTest, QuickBrownFox) {
  FileDigests d = DigestsOf("The quick brown fox jumps over the lazy dog");
  EXPECT_EQ(d.md5, "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(d.sha1, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
  EXPECT_EQ(d.sha256,
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

TEST(FileDigestsTest, MillionAs) {
  FileDigests d = DigestsOf(std::string(1000000, 'a'));
  EXPECT_EQ(d.md5, "7707d6ae4e027c70eea2a935c2296f21");
  EXPECT_EQ(d.sha1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  EXPECT_EQ(d.sha256,
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

}  // namespace
}  // namespace clearmatch
