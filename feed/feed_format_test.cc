// Feed record codec and manifest checks.
#include "feed/feed_format.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/feed_fixtures.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::RemoveChange;
using ::clearmatch::testing::TestAdds;
using ::testing::HasSubstr;

TEST(FeedFormatTest, RecordsRoundTrip) {
  std::vector<FeedChange> changes = TestAdds(0, 50);
  changes.push_back(RemoveChange("e3"));
  auto decoded = DecodeFeedRecords(EncodeFeedRecords(changes));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->size(), changes.size());
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ((*decoded)[i].op, changes[i].op);
    EXPECT_EQ((*decoded)[i].entry.entry_id, changes[i].entry.entry_id);
    if (changes[i].op == FeedChange::Op::kAdd) {
      EXPECT_EQ((*decoded)[i].entry, changes[i].entry);
    }
  }
}

TEST(FeedFormatTest, TruncatedOrOversizedStreamIsRefused) {
  const std::string bytes = EncodeFeedRecords(TestAdds(0, 3));
  auto truncated = DecodeFeedRecords(bytes.substr(0, bytes.size() - 5));
  ASSERT_EQ(truncated.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(truncated.status().message(), HasSubstr("record 2"));
  auto huge = DecodeFeedRecords(std::string("\xff\xff\xff\x7f", 4));
  ASSERT_EQ(huge.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(huge.status().message(), HasSubstr("exceeds the limit"));
  auto bad_varint = DecodeFeedRecords(std::string(12, '\xff'));
  EXPECT_EQ(bad_varint.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(FeedFormatTest, UppercaseHexAndEmptyIdAreRefused) {
  std::vector<FeedChange> changes = TestAdds(1, 1);  // md5
  changes[0].entry.hash[0] = 'A';
  EXPECT_EQ(DecodeFeedRecords(EncodeFeedRecords(changes)).status().code(),
            absl::StatusCode::kInvalidArgument);
  changes = TestAdds(1, 1);
  changes[0].entry.entry_id.clear();
  EXPECT_EQ(DecodeFeedRecords(EncodeFeedRecords(changes)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FeedFormatTest, PathsMustStayInsideTheFeed) {
  EXPECT_TRUE(ValidateFeedPath("deltas/000000000001.delta").ok());
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../b", "a//b", "a b",
                          "http://x/y", "a\\b"}) {
    EXPECT_EQ(ValidateFeedPath(bad).code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

v1::FeedManifest GoodManifest() {
  v1::FeedManifest m;
  m.set_format_version(1);
  m.set_feed_id("f");
  m.set_sequence(3);
  m.set_created_at_unix_seconds(100);
  m.set_expires_at_unix_seconds(200);
  for (uint64_t s = 2; s <= 3; ++s) {
    v1::FeedFile* d = m.add_deltas();
    d->set_sequence(s);
    d->set_path("deltas/x" + std::to_string(s));
    d->set_sha256(std::string(64, 'a'));
  }
  return m;
}

TEST(FeedFormatTest, ManifestChecks) {
  EXPECT_TRUE(ValidateManifest(GoodManifest()).ok());
  v1::FeedManifest m = GoodManifest();
  m.set_sequence(4);
  EXPECT_THAT(ValidateManifest(m).message(), HasSubstr("newest file"));
  m = GoodManifest();
  m.mutable_deltas(1)->set_sequence(5);
  EXPECT_THAT(ValidateManifest(m).message(), HasSubstr("not contiguous"));
  m = GoodManifest();
  m.set_format_version(2);
  EXPECT_THAT(ValidateManifest(m).message(), HasSubstr("format_version"));
  m = GoodManifest();
  m.mutable_deltas(0)->set_sha256("xyz");
  EXPECT_THAT(ValidateManifest(m).message(), HasSubstr("sha256"));
  m = GoodManifest();
  m.set_expires_at_unix_seconds(50);
  EXPECT_THAT(ValidateManifest(m).message(),
              HasSubstr("before it was created"));
}

}  // namespace
}  // namespace clearmatch
