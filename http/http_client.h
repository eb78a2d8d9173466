// HttpClient: one HTTP(S) request at a time with libcurl, bounded in time,
// bytes and retries. TLS peer and host verification are always on; only
// http and https are spoken, and an https request is never redirected to
// http. Connection failures, timeouts, truncated bodies, HTTP 408, 429 and
// 5xx are retried with jittered exponential backoff that honours
// Retry-After.
//
//   HttpClient::Options options;
//   options.ca_file = "/etc/clearmatch/ca.pem";
//   CM_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> client,
//                       HttpClient::Create(options));
//   HttpRequest request;
//   request.method = "PUT";
//   request.url = "https://api.example/v2/feedback";
//   request.body = xml;
//   request.content_type = "application/xml";
//   request.basic_auth = "user:password";
//   CM_ASSIGN_OR_RETURN(HttpResponse response, client->Send(request));
#ifndef CLEARMATCH_HTTP_HTTP_CLIENT_H_
#define CLEARMATCH_HTTP_HTTP_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace clearmatch {

struct HttpRequest {
  std::string method = "GET";  // GET, PUT or POST
  std::string url;             // absolute http:// or https:// URL
  // Extra request headers, e.g. {"x-functions-key", key}. Values never
  // appear in error messages.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;          // sent for PUT and POST
  std::string content_type;  // of `body`, e.g. "application/xml"
  std::string basic_auth;    // "user:password" for HTTP Basic; empty: none
  // The transfer is aborted as soon as the body grows past this.
  int64_t max_response_bytes = int64_t{64} << 20;
};

struct HttpResponse {
  long status = 0;  // 2xx
  std::string body;
};

// Thread-compatible: one curl handle, reused so that consecutive requests
// share a connection. Use one per thread.
class HttpClient {
 public:
  struct Options {
    absl::Duration connect_timeout = absl::Seconds(10);
    // Whole transfer of one attempt, request to last byte.
    absl::Duration attempt_timeout = absl::Seconds(120);
    // Attempts per Send (1 = no retry).
    int max_attempts = 4;
    // Backoff before retry k (1-based) is uniform in [b/2, b] with
    // b = min(max_backoff, initial_backoff * 2^(k-1)); a Retry-After header
    // raises it to the server's value.
    absl::Duration initial_backoff = absl::Milliseconds(500);
    absl::Duration max_backoff = absl::Seconds(30);
    // A longer Retry-After ends the Send at once (UNAVAILABLE).
    absl::Duration max_retry_after = absl::Minutes(5);
    // PEM bundle for https; empty: the system's. Verification always on.
    std::string ca_file;
    // Refuse http:// URLs (INVALID_ARGUMENT) and redirects to http.
    bool https_only = false;
    std::string user_agent = "clearmatch/1";
    // How to wait between attempts; default absl::SleepFor. When
    // `cancelled` is set, the wait is made of steps of at most 100 ms with
    // a poll of `cancelled` before each.
    std::function<void(absl::Duration)> sleep;
    // Polled during transfers and backoff; true ends the Send (CANCELLED).
    std::function<bool()> cancelled;
  };

  // INVALID_ARGUMENT for bad options; INTERNAL if libcurl cannot be
  // initialised.
  static absl::StatusOr<std::unique_ptr<HttpClient>> Create(Options options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request`, retrying as the file comment says; returns the 2xx
  // response. Errors: UNAUTHENTICATED (401), PERMISSION_DENIED (403),
  // NOT_FOUND (404, 410), RESOURCE_EXHAUSTED (body over
  // max_response_bytes), DEADLINE_EXCEEDED (timed out, after the last
  // attempt), UNAVAILABLE (transient, after the last attempt: the message
  // says "gave up after N attempts"; or TLS failed), FAILED_PRECONDITION
  // (other 4xx), INVALID_ARGUMENT (bad URL, method or header), CANCELLED.
  // Messages name method, URL and HTTP status, never header values,
  // basic_auth or the request body.
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request);

 private:
  struct Attempt;
  HttpClient(Options options, void* curl);
  absl::Status Validate(const HttpRequest& request) const;
  Attempt SendOnce(const HttpRequest& request);
  // The wait before retry `attempt_number` (1-based).
  absl::Duration Backoff(int attempt_number,
                         std::optional<absl::Duration> retry_after);
  // Sleeps `delay`; CANCELLED as soon as `cancelled` says so.
  absl::Status Wait(absl::Duration delay, const HttpRequest& request);
  bool Cancelled() const { return options_.cancelled && options_.cancelled(); }

  const Options options_;
  void* const curl_;  // CURL*, owned; void* keeps curl.h out of this header
  std::mt19937_64 jitter_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_HTTP_HTTP_CLIENT_H_
