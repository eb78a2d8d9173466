// A FeedSource over HTTP(S): GETs under a base URL with http/'s HttpClient
// (connect and per-attempt total timeouts, a byte cap that aborts the
// transfer as soon as it is exceeded, TLS peer and host verification always
// on, and a bounded number of retries with jittered exponential backoff that
// honours Retry-After).
//
//   HttpFeedSource::Options options;
//   options.base_url = "https://feed.example/v1/";
//   CM_ASSIGN_OR_RETURN(auto source, HttpFeedSource::Create(options));
#ifndef CLEARMATCH_FEED_HTTP_FEED_SOURCE_H_
#define CLEARMATCH_FEED_HTTP_FEED_SOURCE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "feed/feed_source.h"
#include "http/http_client.h"

namespace clearmatch {

// Thread-compatible: one transfer at a time (the HttpClient reuses its
// connection between fetches). Use one per thread.
class HttpFeedSource : public FeedSource {
 public:
  struct Options {
    // http:// or https:// URL of the feed root; a trailing '/' is added.
    std::string base_url;
    absl::Duration connect_timeout = absl::Seconds(10);
    // Whole transfer of one attempt, request to last byte.
    absl::Duration attempt_timeout = absl::Seconds(300);
    // Attempts per Fetch (1 = no retry). Retried: connection failures,
    // timeouts, truncated bodies, HTTP 408, 429 and 5xx.
    int max_attempts = 4;
    // Backoff before retry k (1-based) is uniform in [b/2, b] with
    // b = min(max_backoff, initial_backoff * 2^(k-1)); a Retry-After header
    // raises it to the server's value.
    absl::Duration initial_backoff = absl::Milliseconds(500);
    absl::Duration max_backoff = absl::Seconds(30);
    // A Retry-After longer than this ends the fetch (UNAVAILABLE) instead of
    // waiting.
    absl::Duration max_retry_after = absl::Minutes(5);
    // PEM CA bundle for https; empty = the system's.
    std::string ca_file;
    // How to wait between attempts; tests record instead of sleeping.
    std::function<void(absl::Duration)> sleep = [](absl::Duration d) {
      absl::SleepFor(d);
    };
  };

  // INVALID_ARGUMENT for a base URL that is not http(s) or bad options;
  // INTERNAL if libcurl cannot be initialised. Fetch errors are
  // HttpClient::Send's (401 is UNAUTHENTICATED, 403 PERMISSION_DENIED).
  static absl::StatusOr<std::unique_ptr<HttpFeedSource>> Create(
      Options options);

  absl::StatusOr<std::string> Fetch(absl::string_view path,
                                    int64_t max_bytes) override;
  std::string Describe() const override { return options_.base_url; }

 private:
  HttpFeedSource(Options options, std::unique_ptr<HttpClient> client)
      : options_(std::move(options)), client_(std::move(client)) {}

  const Options options_;
  const std::unique_ptr<HttpClient> client_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_FEED_HTTP_FEED_SOURCE_H_
