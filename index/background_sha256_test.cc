#include "index/background_sha256.h"

#include <string>

#include "gtest/gtest.h"

namespace clearmatch::index_internal {
namespace {

TEST(BackgroundSha256Test, HashesFromOffsetWhileTheBufferFills) {
  std::string source(1 << 20, '\0');
  for (size_t i = 0; i < source.size(); ++i) {
    source[i] = static_cast<char>(i * 131);
  }
  std::string buffer(source.size(), '\0');
  auto hasher = BackgroundSha256::Start(buffer.data(), 40);
  ASSERT_TRUE(hasher.ok()) << hasher.status();
  for (size_t filled = 0; filled < buffer.size();) {
    const size_t chunk = std::min<size_t>(70001, buffer.size() - filled);
    buffer.replace(filled, chunk, source, filled, chunk);
    filled += chunk;
    (*hasher)->Advance(filled);
  }
  auto digest = (*hasher)->Finish();
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(*digest, *Sha256::Of(absl::string_view(source).substr(40)));
}

TEST(BackgroundSha256Test, ShortFillHashesOnlyWhatArrived) {
  const std::string buffer = "0123456789";
  auto hasher = BackgroundSha256::Start(buffer.data(), 2);
  ASSERT_TRUE(hasher.ok());
  (*hasher)->Advance(6);
  EXPECT_EQ(*(*hasher)->Finish(), *Sha256::Of("2345"));
}

TEST(BackgroundSha256Test, DestroyedWithoutFinishJoins) {
  const std::string buffer = "abc";
  auto hasher = BackgroundSha256::Start(buffer.data(), 0);
  ASSERT_TRUE(hasher.ok());
  (*hasher)->Advance(2);
  hasher->reset();  // must not hang or crash
  SUCCEED();
}

}  // namespace
}  // namespace clearmatch::index_internal
