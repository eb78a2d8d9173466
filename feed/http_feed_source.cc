// HTTP(S) feed fetching: GETs under the base URL with HttpClient.
#include "feed/http_feed_source.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "feed/feed_format.h"

namespace clearmatch {

absl::StatusOr<std::unique_ptr<HttpFeedSource>> HttpFeedSource::Create(
    Options options) {
  const bool https = absl::StartsWithIgnoreCase(options.base_url, "https://");
  if (!https && !absl::StartsWithIgnoreCase(options.base_url, "http://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "feed URL \"", options.base_url, "\" is not http:// or https://"));
  }
  if (!absl::EndsWith(options.base_url, "/")) options.base_url += "/";
  HttpClient::Options http;
  http.connect_timeout = options.connect_timeout;
  http.attempt_timeout = options.attempt_timeout;
  http.max_attempts = options.max_attempts;
  http.initial_backoff = options.initial_backoff;
  http.max_backoff = options.max_backoff;
  http.max_retry_after = options.max_retry_after;
  http.ca_file = options.ca_file;
  // An https feed is never fetched over http, also not after a redirect.
  http.https_only = https;
  http.user_agent = "clearmatch-feed/1";
  http.sleep = options.sleep;
  CM_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> client,
                      HttpClient::Create(std::move(http)));
  return std::unique_ptr<HttpFeedSource>(
      new HttpFeedSource(std::move(options), std::move(client)));
}

absl::StatusOr<std::string> HttpFeedSource::Fetch(absl::string_view path,
                                                  int64_t max_bytes) {
  if (absl::Status s = ValidateFeedPath(path); !s.ok()) return s;
  HttpRequest request;
  request.url = absl::StrCat(options_.base_url, path);
  request.max_response_bytes = max_bytes;
  CM_ASSIGN_OR_RETURN(HttpResponse response, client_->Send(request));
  return std::move(response.body);
}

}  // namespace clearmatch
