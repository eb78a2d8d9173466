// Where feed files come from: a base URL (http://, https://) or a directory
// (file:// or a plain path). The syncer asks for files by their path relative
// to the feed root (e.g. "manifest.pb", "deltas/000000000007.delta").
// OpenFeedSource (open_feed_source.h) picks the implementation for a URL.
#ifndef CLEARMATCH_FEED_FEED_SOURCE_H_
#define CLEARMATCH_FEED_FEED_SOURCE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clearmatch {

// Implementations say whether they are thread-safe.
class FeedSource {
 public:
  virtual ~FeedSource() = default;

  // The whole file at `path` (validated with ValidateFeedPath). Errors:
  // INVALID_ARGUMENT bad path; NOT_FOUND absent; RESOURCE_EXHAUSTED larger
  // than `max_bytes` (never holds more than max_bytes);
  // DEADLINE_EXCEEDED timed out; UNAVAILABLE transport failure after retries.
  virtual absl::StatusOr<std::string> Fetch(absl::string_view path,
                                            int64_t max_bytes) = 0;

  // The feed root, for messages (e.g. "https://feed.example/v1/").
  virtual std::string Describe() const = 0;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_FEED_FEED_SOURCE_H_
