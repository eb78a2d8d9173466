// Feed fixtures for tests and benchmarks: deterministic entries and changes,
// and a signed test feed published into a TempDir.
#ifndef CLEARMATCH_TESTING_FEED_FIXTURES_H_
#define CLEARMATCH_TESTING_FEED_FIXTURES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "feed/feed_entry.h"
#include "feed/feed_publisher.h"
#include "testing/temp_dir.h"

namespace clearmatch::testing {

// Entry number `i`: id "e<i>", a pdq/md5/sha1/sha256 hash (by i % 4) whose
// hex is derived from i, bank "bank<i % 3>".
FeedEntry TestEntry(int64_t i);
// ADD changes for entries [first, first + count).
std::vector<FeedChange> TestAdds(int64_t first, int64_t count);
FeedChange RemoveChange(const std::string& entry_id);

// An ADD record of the feed protocol.
FeedChange AddRecord(const std::string& entry_id, HashType type,
                     const std::string& hash, const std::string& bank);

// A signed feed "test-feed" in <dir>/feed, published with a fresh key whose
// public half is <dir>/feed.pub.pem.
struct TestFeed {
  std::string dir;
  std::string pubkey_file;
  std::unique_ptr<FeedPublisher> publisher;
};
absl::StatusOr<TestFeed> CreateTestFeed(const TempDir& temp);

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_FEED_FIXTURES_H_
