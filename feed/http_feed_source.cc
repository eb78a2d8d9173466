// HTTP(S) feed fetching with libcurl, bounded in time, bytes and retries.
#include "feed/http_feed_source.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "feed/feed_format.h"

namespace clearmatch {
namespace {

// Body sink: appends until the cap, then makes curl abort the transfer.
struct BodySink {
  std::string* body;
  int64_t max_bytes;
  bool exceeded = false;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t n = size * count;
  if (static_cast<int64_t>(sink->body->size() + n) > sink->max_bytes) {
    sink->exceeded = true;
    return 0;  // anything != n aborts with CURLE_WRITE_ERROR
  }
  sink->body->append(data, n);
  return n;
}

// Keeps the Retry-After of the last response (headers of earlier redirect
// responses are discarded at each status line).
size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  auto* retry_after = static_cast<std::optional<absl::Duration>*>(user);
  const size_t n = size * count;
  absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {
    retry_after->reset();
  } else if (absl::StartsWithIgnoreCase(line, "retry-after:")) {
    std::string value(absl::StripAsciiWhitespace(line.substr(12)));
    int64_t seconds = 0;
    if (absl::SimpleAtoi(value, &seconds) && seconds >= 0) {
      *retry_after = absl::Seconds(seconds);
    } else {
      const time_t when = curl_getdate(value.c_str(), nullptr);
      if (when > 0) {
        *retry_after =
            std::max(absl::ZeroDuration(), absl::FromTimeT(when) - absl::Now());
      }
    }
  }
  return n;
}

bool IsRetryableHttpStatus(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

// Resets `curl` and sets up one GET of `url` into `sink` with the options'
// protocols, TLS checks and timeouts.
void ConfigureTransfer(CURL* curl, const HttpFeedSource::Options& options,
                       const std::string& url, BodySink& sink,
                       std::optional<absl::Duration>& retry_after,
                       char* error_buffer) {
  curl_easy_reset(curl);
  const bool https = absl::StartsWithIgnoreCase(options.base_url, "https://");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, https ? "https" : "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 3L);
  // Never downgrade an https feed to http on a redirect.
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR,
                   https ? "https" : "http,https");
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      curl, CURLOPT_CONNECTTIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options.connect_timeout)));
  curl_easy_setopt(
      curl, CURLOPT_TIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options.attempt_timeout)));
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(sink.max_bytes));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &retry_after);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "clearmatch-feed/1");
}

// A GET that failed, and whether another attempt may succeed.
struct FailedGet {
  absl::Status status;
  bool retryable = false;
};

// The failure of a transfer that ended with `code`; none for CURLE_OK.
std::optional<FailedGet> TransferFailure(CURLcode code, const std::string& url,
                                         const std::string& detail) {
  switch (code) {
    case CURLE_OK:
      return std::nullopt;
    case CURLE_OPERATION_TIMEDOUT:
      return FailedGet{absl::DeadlineExceededError(absl::StrCat(
                           "GET ", url, ": timed out (", detail, ")")),
                       true};
    case CURLE_PARTIAL_FILE:
      return FailedGet{absl::UnavailableError(absl::StrCat(
                           "GET ", url, ": body truncated (", detail, ")")),
                       true};
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return FailedGet{absl::UnavailableError(absl::StrCat(
                           "GET ", url, ": connection failed (", detail, ")")),
                       true};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
      return FailedGet{absl::UnavailableError(absl::StrCat(
                           "GET ", url, ": TLS failed (", detail, ")")),
                       false};
    default:
      return FailedGet{
          absl::UnavailableError(absl::StrCat("GET ", url, ": ", detail)),
          false};
  }
}

// The failure of a completed transfer whose HTTP status is not 200.
FailedGet HttpFailure(long status, const std::string& url) {
  const std::string message = absl::StrCat("GET ", url, ": HTTP ", status);
  if (status == 404 || status == 410) {
    return {absl::NotFoundError(message), false};
  }
  if (status == 401 || status == 403) {
    return {absl::PermissionDeniedError(message), false};
  }
  if (IsRetryableHttpStatus(status)) {
    return {absl::UnavailableError(message), true};
  }
  return {absl::FailedPreconditionError(message), false};
}

}  // namespace

struct HttpFeedSource::Attempt {
  absl::StatusOr<std::string> body;
  bool retryable = false;
  std::optional<absl::Duration> retry_after;
};

absl::StatusOr<std::unique_ptr<HttpFeedSource>> HttpFeedSource::Create(
    Options options) {
  const bool https = absl::StartsWithIgnoreCase(options.base_url, "https://");
  if (!https && !absl::StartsWithIgnoreCase(options.base_url, "http://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "feed URL \"", options.base_url, "\" is not http:// or https://"));
  }
  if (options.max_attempts < 1 ||
      options.connect_timeout <= absl::ZeroDuration() ||
      options.attempt_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "max_attempts must be >= 1 and timeouts positive");
  }
  if (!absl::EndsWith(options.base_url, "/")) options.base_url += "/";
  static std::once_flag init_once;
  static CURLcode init_result = CURLE_OK;
  std::call_once(init_once,
                 [] { init_result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init_result != CURLE_OK) {
    return absl::InternalError(absl::StrCat("curl_global_init failed: ",
                                            curl_easy_strerror(init_result)));
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  return std::unique_ptr<HttpFeedSource>(
      new HttpFeedSource(std::move(options), curl));
}

HttpFeedSource::HttpFeedSource(Options options, void* curl)
    : options_(std::move(options)),
      curl_(curl),
      jitter_(std::random_device{}()) {}

HttpFeedSource::~HttpFeedSource() {
  curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HttpFeedSource::Attempt HttpFeedSource::FetchOnce(const std::string& url,
                                                  int64_t max_bytes) {
  CURL* curl = static_cast<CURL*>(curl_);
  std::string body;
  BodySink sink{&body, max_bytes};
  std::optional<absl::Duration> retry_after;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  ConfigureTransfer(curl, options_, url, sink, retry_after, error_buffer);
  const CURLcode code = curl_easy_perform(curl);
  const std::string detail =
      error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  Attempt attempt;
  std::optional<FailedGet> failed =
      sink.exceeded || code == CURLE_FILESIZE_EXCEEDED
          ? FailedGet{absl::ResourceExhaustedError(absl::StrCat(
                          "GET ", url, ": body exceeds the limit of ",
                          max_bytes, " bytes")),
                      false}
          : TransferFailure(code, url, detail);
  if (!failed.has_value()) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status == 200) {
      attempt.body = std::move(body);
      return attempt;
    }
    failed = HttpFailure(status, url);
    if (failed->retryable) attempt.retry_after = retry_after;
  }
  attempt.body = std::move(failed->status);
  attempt.retryable = failed->retryable;
  return attempt;
}

absl::StatusOr<std::string> HttpFeedSource::Fetch(absl::string_view path,
                                                  int64_t max_bytes) {
  if (absl::Status s = ValidateFeedPath(path); !s.ok()) return s;
  const std::string url = absl::StrCat(options_.base_url, path);
  for (int attempt_number = 1;; ++attempt_number) {
    Attempt attempt = FetchOnce(url, max_bytes);
    if (attempt.body.ok() || !attempt.retryable) {
      return std::move(attempt.body);
    }
    const absl::Status& status = attempt.body.status();
    if (attempt_number >= options_.max_attempts) {
      return absl::Status(status.code(),
                          absl::StrCat(status.message(), " (gave up after ",
                                       attempt_number, " attempts)"));
    }
    if (attempt.retry_after.has_value() &&
        *attempt.retry_after > options_.max_retry_after) {
      return absl::UnavailableError(
          absl::StrCat(status.message(), "; server asked to retry after ",
                       absl::FormatDuration(*attempt.retry_after),
                       ", more than the limit of ",
                       absl::FormatDuration(options_.max_retry_after)));
    }
    const absl::Duration ceiling =
        std::min(options_.max_backoff,
                 options_.initial_backoff *
                     (int64_t{1} << std::min(attempt_number - 1, 20)));
    std::uniform_real_distribution<double> fraction(0.5, 1.0);
    absl::Duration delay = ceiling * fraction(jitter_);
    if (attempt.retry_after.has_value()) {
      delay = std::max(delay, *attempt.retry_after);
    }
    options_.sleep(delay);
  }
}

}  // namespace clearmatch
