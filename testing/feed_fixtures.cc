// Feed fixtures for tests and benchmarks.
#include "testing/feed_fixtures.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "crypto/ed25519_signer.h"

namespace clearmatch::testing {

FeedChange AddRecord(const std::string& entry_id, HashType type,
                     const std::string& hash, const std::string& bank) {
  FeedChange change;
  change.op = FeedChange::Op::kAdd;
  change.entry.entry_id = entry_id;
  change.entry.hash_type = type;
  change.entry.hash = hash;
  change.entry.bank = bank;
  return change;
}

absl::StatusOr<TestFeed> CreateTestFeed(const TempDir& temp) {
  absl::StatusOr<Ed25519KeyPair> keys = Ed25519Signer::GenerateKeyPair();
  if (!keys.ok()) return keys.status();
  TestFeed feed;
  feed.dir = temp.File("feed");
  feed.pubkey_file = temp.Write("feed.pub.pem", keys->public_pem);
  FeedPublisher::Options options;
  options.feed_dir = feed.dir;
  options.private_key_pem = keys->private_pem;
  options.feed_id = "test-feed";
  absl::StatusOr<std::unique_ptr<FeedPublisher>> publisher =
      FeedPublisher::Create(options);
  if (!publisher.ok()) return publisher.status();
  feed.publisher = *std::move(publisher);
  return feed;
}

FeedEntry TestEntry(int64_t i) {
  static constexpr HashType kTypes[] = {HashType::kPdq, HashType::kMd5,
                                        HashType::kSha1, HashType::kSha256};
  FeedEntry entry;
  entry.entry_id = absl::StrCat("e", i);
  entry.hash_type = kTypes[i % 4];
  // 16 hex digits of i, repeated to the type's length.
  const std::string unit = absl::StrFormat(
      "%016x", static_cast<uint64_t>(i) * 0x9e3779b97f4a7c15ULL);
  while (entry.hash.size() <
         static_cast<size_t>(HashHexLength(entry.hash_type))) {
    entry.hash += unit;
  }
  entry.hash.resize(HashHexLength(entry.hash_type));
  entry.bank = absl::StrCat("bank", i % 3);
  entry.category = i % 2 == 0 ? "ncii" : "";
  entry.added_at_unix_seconds = 1700000000 + i;
  return entry;
}

std::vector<FeedChange> TestAdds(int64_t first, int64_t count) {
  std::vector<FeedChange> changes;
  changes.reserve(count);
  for (int64_t i = first; i < first + count; ++i) {
    changes.push_back({FeedChange::Op::kAdd, TestEntry(i)});
  }
  return changes;
}

FeedChange RemoveChange(const std::string& entry_id) {
  FeedChange change;
  change.op = FeedChange::Op::kRemove;
  change.entry.entry_id = entry_id;
  return change;
}

}  // namespace clearmatch::testing
