// Scheme dispatch for feed sources.
#include "feed/open_feed_source.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "feed/feed_entry.h"
#include "feed/file_feed_source.h"

namespace clearmatch {

absl::StatusOr<std::unique_ptr<FeedSource>> OpenFeedSource(
    absl::string_view url_or_dir, const HttpFeedSource::Options& http_options) {
  if (absl::StartsWithIgnoreCase(url_or_dir, "http://") ||
      absl::StartsWithIgnoreCase(url_or_dir, "https://")) {
    HttpFeedSource::Options options = http_options;
    options.base_url = std::string(url_or_dir);
    absl::StatusOr<std::unique_ptr<HttpFeedSource>> source =
        HttpFeedSource::Create(options);
    if (!source.ok()) return source.status();
    return std::unique_ptr<FeedSource>(*std::move(source));
  }
  absl::string_view dir = url_or_dir;
  if (absl::StartsWithIgnoreCase(dir, "file://")) {
    dir.remove_prefix(7);
  } else if (dir.find("://") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("feed URL ", feed_internal::QuoteForError(url_or_dir),
                     " has an unsupported scheme (http, https, file)"));
  }
  if (dir.empty()) {
    return absl::InvalidArgumentError("feed directory is empty");
  }
  return std::unique_ptr<FeedSource>(
      std::make_unique<FileFeedSource>(std::string(dir)));
}

}  // namespace clearmatch
