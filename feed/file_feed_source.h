// A FeedSource reading a feed from a local directory (file:// URLs).
#ifndef CLEARMATCH_FEED_FILE_FEED_SOURCE_H_
#define CLEARMATCH_FEED_FILE_FEED_SOURCE_H_

#include <string>

#include "feed/feed_source.h"

namespace clearmatch {

// Thread-safe (no mutable state).
class FileFeedSource : public FeedSource {
 public:
  explicit FileFeedSource(std::string root_dir) : root_(std::move(root_dir)) {}

  absl::StatusOr<std::string> Fetch(absl::string_view path,
                                    int64_t max_bytes) override;
  std::string Describe() const override { return "file://" + root_; }

 private:
  std::string root_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_FEED_FILE_FEED_SOURCE_H_
