// HTTP(S) requests with libcurl, bounded in time, bytes and retries.
#include "http/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

constexpr absl::Duration kCancelPollStep = absl::Milliseconds(100);

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

// The wait a Retry-After value asks for: delta-seconds or an HTTP date.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value) {
  const std::string text(absl::StripAsciiWhitespace(value));
  int64_t seconds = 0;
  if (absl::SimpleAtoi(text, &seconds)) {
    if (seconds < 0) return std::nullopt;
    return absl::Seconds(seconds);
  }
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when <= 0) return std::nullopt;
  return std::max(absl::ZeroDuration(), absl::FromTimeT(when) - absl::Now());
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
    *retry_after = ParseRetryAfter(line.substr(12));
  }
  return n;
}

// CURLOPT_XFERINFOFUNCTION: non-zero aborts (CURLE_ABORTED_BY_CALLBACK).
int PollCancelled(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancelled = static_cast<const std::function<bool()>*>(user);
  return (*cancelled)() ? 1 : 0;
}

bool IsHttps(absl::string_view url) {
  return absl::StartsWithIgnoreCase(url, "https://");
}

bool IsRetryableHttpStatus(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

// The request's header lines; null if there are none. Freed by the caller.
curl_slist* HeaderList(const HttpRequest& request) {
  curl_slist* list = nullptr;
  for (const auto& [name, value] : request.headers) {
    list = curl_slist_append(list, absl::StrCat(name, ": ", value).c_str());
  }
  if (!request.content_type.empty()) {
    list = curl_slist_append(
        list, absl::StrCat("Content-Type: ", request.content_type).c_str());
  }
  // No "Expect: 100-continue" round trip before a body.
  if (request.method != "GET") list = curl_slist_append(list, "Expect:");
  return list;
}

// Sets the method and body of `request` on a reset handle.
void ConfigureMethod(CURL* curl, const HttpRequest& request) {
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    return;
  }
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  if (request.method != "POST") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request.body.size()));
}

// Where one transfer writes what it gets back.
struct TransferOutput {
  BodySink sink;
  std::optional<absl::Duration> retry_after;
  char error_buffer[CURL_ERROR_SIZE] = {0};
};

// Resets `curl` and sets up one transfer of `request` with the options'
// protocols, TLS checks, timeouts and cancellation.
void ConfigureTransfer(CURL* curl, const HttpClient::Options& options,
                       const HttpRequest& request, curl_slist* headers,
                       TransferOutput& out) {
  curl_easy_reset(curl);
  const char* protocols =
      options.https_only || IsHttps(request.url) ? "https" : "http,https";
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 3L);
  // Never downgrade an https request to http on a redirect.
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
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
                   static_cast<curl_off_t>(out.sink.max_bytes));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &out.retry_after);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, out.error_buffer);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options.user_agent.c_str());
  if (options.cancelled) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &PollCancelled);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &options.cancelled);
  }
  if (!request.basic_auth.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERPWD, request.basic_auth.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  ConfigureMethod(curl, request);
}

// A request that failed, and whether another attempt may succeed.
struct Failure {
  absl::Status status;
  bool retryable = false;
};

// The failure of a transfer that ended with `code`; none for CURLE_OK.
// `what` is "<METHOD> <URL>".
std::optional<Failure> TransferFailure(CURLcode code, absl::string_view what,
                                       absl::string_view detail) {
  switch (code) {
    case CURLE_OK:
      return std::nullopt;
    case CURLE_OPERATION_TIMEDOUT:
      return Failure{absl::DeadlineExceededError(
                         absl::StrCat(what, ": timed out (", detail, ")")),
                     true};
    case CURLE_PARTIAL_FILE:
      return Failure{absl::UnavailableError(
                         absl::StrCat(what, ": body truncated (", detail, ")")),
                     true};
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return Failure{absl::UnavailableError(absl::StrCat(
                         what, ": connection failed (", detail, ")")),
                     true};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
      return Failure{absl::UnavailableError(
                         absl::StrCat(what, ": TLS failed (", detail, ")")),
                     false};
    case CURLE_ABORTED_BY_CALLBACK:
      return Failure{absl::CancelledError(absl::StrCat(what, ": cancelled")),
                     false};
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Failure{absl::FailedPreconditionError(absl::StrCat(
                         what, ": protocol refused (", detail, ")")),
                     false};
    default:
      return Failure{absl::UnavailableError(absl::StrCat(what, ": ", detail)),
                     false};
  }
}

// The failure of a completed transfer whose HTTP status is not 2xx.
Failure HttpFailure(long status, absl::string_view what) {
  const std::string message = absl::StrCat(what, ": HTTP ", status);
  if (status == 404 || status == 410) {
    return {absl::NotFoundError(message), false};
  }
  if (status == 401) return {absl::UnauthenticatedError(message), false};
  if (status == 403) return {absl::PermissionDeniedError(message), false};
  if (IsRetryableHttpStatus(status)) {
    return {absl::UnavailableError(message), true};
  }
  return {absl::FailedPreconditionError(message), false};
}

bool HasLineBreak(absl::string_view text) {
  return text.find_first_of("\r\n") != absl::string_view::npos;
}

}  // namespace

struct HttpClient::Attempt {
  absl::StatusOr<HttpResponse> response;
  bool retryable = false;
  std::optional<absl::Duration> retry_after;
};

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(
    Options options) {
  if (options.max_attempts < 1 ||
      options.connect_timeout <= absl::ZeroDuration() ||
      options.attempt_timeout <= absl::ZeroDuration() ||
      options.initial_backoff < absl::ZeroDuration() ||
      options.max_backoff < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "HTTP client: max_attempts must be >= 1, timeouts positive and "
        "backoffs not negative");
  }
  if (!options.sleep) {
    options.sleep = [](absl::Duration d) { absl::SleepFor(d); };
  }
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
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(options), curl));
}

HttpClient::HttpClient(Options options, void* curl)
    : options_(std::move(options)),
      curl_(curl),
      jitter_(std::random_device{}()) {}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

absl::Status HttpClient::Validate(const HttpRequest& request) const {
  if (request.method != "GET" && request.method != "PUT" &&
      request.method != "POST") {
    return absl::InvalidArgumentError(absl::StrCat(
        "HTTP method \"", request.method, "\" is not GET, PUT or POST"));
  }
  const std::string what = absl::StrCat(request.method, " ", request.url);
  const bool https = IsHttps(request.url);
  if (!https && !absl::StartsWithIgnoreCase(request.url, "http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": URL is not http:// or https://"));
  }
  if (HasLineBreak(request.url) || HasLineBreak(request.content_type)) {
    return absl::InvalidArgumentError(
        absl::StrCat(request.method, ": URL or content type has a line break"));
  }
  if (!https && options_.https_only) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": only https:// is allowed"));
  }
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || HasLineBreak(name) || HasLineBreak(value) ||
        name.find(':') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, ": request header \"", HasLineBreak(name) ? "" : name,
          "\" has an empty or bad name or a line break in its value"));
    }
  }
  if (request.max_response_bytes < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": max_response_bytes is negative"));
  }
  return absl::OkStatus();
}

HttpClient::Attempt HttpClient::SendOnce(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(curl_);
  HttpResponse response;
  TransferOutput out;
  out.sink = {&response.body, request.max_response_bytes};
  curl_slist* headers = HeaderList(request);
  ConfigureTransfer(curl, options_, request, headers, out);
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  // Nothing of the request (credentials, body) stays set on the handle.
  curl_easy_reset(curl);
  curl_slist_free_all(headers);
  const std::string what = absl::StrCat(request.method, " ", request.url);
  const std::string detail = out.error_buffer[0] != '\0'
                                 ? std::string(out.error_buffer)
                                 : curl_easy_strerror(code);
  std::optional<Failure> failed =
      out.sink.exceeded || code == CURLE_FILESIZE_EXCEEDED
          ? Failure{absl::ResourceExhaustedError(
                        absl::StrCat(what, ": body exceeds the limit of ",
                                     request.max_response_bytes, " bytes")),
                    false}
          : TransferFailure(code, what, detail);
  Attempt attempt;
  if (!failed.has_value()) {
    if (response.status >= 200 && response.status <= 299) {
      attempt.response = std::move(response);
      return attempt;
    }
    failed = HttpFailure(response.status, what);
    if (failed->retryable) attempt.retry_after = out.retry_after;
  }
  attempt.response = std::move(failed->status);
  attempt.retryable = failed->retryable;
  return attempt;
}

absl::Duration HttpClient::Backoff(int attempt_number,
                                   std::optional<absl::Duration> retry_after) {
  const absl::Duration ceiling =
      std::min(options_.max_backoff,
               options_.initial_backoff *
                   (int64_t{1} << std::min(attempt_number - 1, 20)));
  std::uniform_real_distribution<double> fraction(0.5, 1.0);
  absl::Duration delay = ceiling * fraction(jitter_);
  if (retry_after.has_value()) delay = std::max(delay, *retry_after);
  return delay;
}

absl::Status HttpClient::Wait(absl::Duration delay,
                              const HttpRequest& request) {
  const absl::Status cancelled = absl::CancelledError(
      absl::StrCat(request.method, " ", request.url, ": cancelled"));
  if (!options_.cancelled) {
    options_.sleep(delay);
    return absl::OkStatus();
  }
  while (delay > absl::ZeroDuration()) {
    if (Cancelled()) return cancelled;
    const absl::Duration step = std::min(delay, kCancelPollStep);
    options_.sleep(step);
    delay -= step;
  }
  return Cancelled() ? cancelled : absl::OkStatus();
}

absl::StatusOr<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  if (absl::Status valid = Validate(request); !valid.ok()) return valid;
  for (int attempt_number = 1;; ++attempt_number) {
    if (Cancelled()) {
      return absl::CancelledError(
          absl::StrCat(request.method, " ", request.url, ": cancelled"));
    }
    Attempt attempt = SendOnce(request);
    if (attempt.response.ok() || !attempt.retryable) {
      return std::move(attempt.response);
    }
    const absl::Status& status = attempt.response.status();
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
    CM_RETURN_IF_ERROR(
        Wait(Backoff(attempt_number, attempt.retry_after), request));
  }
}

}  // namespace clearmatch
