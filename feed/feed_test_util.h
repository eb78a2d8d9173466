// Helpers for feed/ tests and benchmarks: a temporary directory removed at
// scope end, deterministic test entries, and reading/writing small files.
#ifndef CLEARMATCH_FEED_FEED_TEST_UTIL_H_
#define CLEARMATCH_FEED_FEED_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "feed/feed_entry.h"
#include "feed/feed_publisher.h"

namespace clearmatch::feed_testing {

// A fresh directory under $TMPDIR (or /tmp), deleted with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }
  // Writes `bytes` to Sub(name) and returns that path.
  std::string Write(const std::string& name, const std::string& bytes) const;

 private:
  std::string path_;
};

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

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& bytes);

}  // namespace clearmatch::feed_testing

#endif  // CLEARMATCH_FEED_FEED_TEST_UTIL_H_
