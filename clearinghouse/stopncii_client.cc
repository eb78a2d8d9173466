// FetchHashes and SubmitFeedback of the StopNCII API over HttpClient.
#include "clearinghouse/stopncii_client.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

// True for http:// URLs whose host is 127.0.0.1, localhost or [::1].
bool IsLoopbackHttpUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "http://")) return false;
  for (absl::string_view host : {"127.0.0.1", "localhost", "[::1]"}) {
    absl::string_view after = rest;
    if (absl::ConsumePrefix(&after, host) &&
        (after.empty() || after[0] == ':' || after[0] == '/')) {
      return true;
    }
  }
  return false;
}

// Percent-encoding of a query value (RFC 3986 unreserved kept).
std::string QueryEscape(absl::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<StopNciiClient>> StopNciiClient::Create(
    Options options) {
  absl::string_view base = options.base_url;
  const bool https = absl::StartsWith(base, "https://");
  if (!https && !IsLoopbackHttpUrl(base)) {
    return absl::InvalidArgumentError(
        absl::StrCat("base_url: ", options.base_url,
                     " is not https:// (http:// only to a loopback host)"));
  }
  while (absl::ConsumeSuffix(&base, "/")) {
  }
  options.base_url = std::string(base);
  options.http.https_only = https;
  CM_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> http,
                      HttpClient::Create(options.http));
  return std::unique_ptr<StopNciiClient>(
      new StopNciiClient(std::move(options), std::move(http)));
}

absl::StatusOr<StopNciiPage> StopNciiClient::FetchHashes(
    int64_t start_timestamp, int page_size, const std::string& page_token) {
  HttpRequest request;
  request.method = "GET";
  request.url = absl::StrCat(options_.base_url,
                             "/FetchHashes?startTimestamp=", start_timestamp,
                             "&pageSize=", page_size);
  if (!page_token.empty()) {
    absl::StrAppend(&request.url, "&nextPageToken=", QueryEscape(page_token));
  }
  request.headers = {
      {"Ocp-Apim-Subscription-Key", options_.credentials.subscription_key},
      {"x-functions-key", options_.credentials.fetch_hashes_key},
      {"Accept", "application/json"}};
  request.max_response_bytes =
      static_cast<int64_t>(options_.limits.max_page_bytes);
  CM_ASSIGN_OR_RETURN(HttpResponse response, http_->Send(request));
  return ParseFetchHashesPage(response.body, options_.limits);
}

absl::Status StopNciiClient::SubmitFeedback(
    absl::Span<const StopNciiFeedback> feedbacks) {
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat(options_.base_url, "/SubmitFeedback");
  request.headers = {
      {"Ocp-Apim-Subscription-Key", options_.credentials.subscription_key},
      {"x-functions-key", options_.credentials.submit_feedback_key},
      {"Accept", "application/json"}};
  request.body = BuildSubmitFeedbackBody(feedbacks);
  request.content_type = "application/json";
  request.max_response_bytes = int64_t{1} << 20;
  return http_->Send(request).status();
}

}  // namespace clearmatch
