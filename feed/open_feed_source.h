// Chooses the FeedSource for a feed URL or directory.
//
//   CM_ASSIGN_OR_RETURN(std::unique_ptr<FeedSource> source,
//                       OpenFeedSource("https://feed.example/v1/", {}));
#ifndef CLEARMATCH_FEED_OPEN_FEED_SOURCE_H_
#define CLEARMATCH_FEED_OPEN_FEED_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "feed/feed_source.h"
#include "feed/http_feed_source.h"

namespace clearmatch {

// An HttpFeedSource for http:// and https:// URLs (with `http_options`,
// whose base_url is replaced), a FileFeedSource for file:// URLs and for
// anything without a scheme. INVALID_ARGUMENT for any other scheme.
absl::StatusOr<std::unique_ptr<FeedSource>> OpenFeedSource(
    absl::string_view url_or_dir, const HttpFeedSource::Options& http_options);

}  // namespace clearmatch

#endif  // CLEARMATCH_FEED_OPEN_FEED_SOURCE_H_
