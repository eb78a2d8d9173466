// NCMEC hash sharing API calls over HttpClient.
#include "clearinghouse/ncmec_client.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

// Path segments and query values: everything but unreserved characters
// percent-encoded.
std::string PercentEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool IsLoopbackHttp(absl::string_view url) {
  for (absl::string_view host :
       {"http://127.0.0.1", "http://[::1]", "http://localhost"}) {
    if (absl::StartsWith(url, host)) {
      absl::string_view rest = url.substr(host.size());
      if (rest.empty() || rest[0] == ':' || rest[0] == '/') return true;
    }
  }
  return false;
}

absl::Status CheckBaseUrl(absl::string_view url) {
  if (!absl::StartsWith(url, "https://") && !IsLoopbackHttp(url)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "base_url \"", url,
        "\": must be https:// (http:// only to a loopback address)"));
  }
  if (absl::StrContains(url, "?") || absl::StrContains(url, "#") ||
      absl::StrContains(url, "@")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "base_url \"", url, "\": must have no query, fragment or user info"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<NcmecClient>> NcmecClient::Create(
    Options options) {
  while (!options.base_url.empty() && options.base_url.back() == '/') {
    options.base_url.pop_back();
  }
  CM_RETURN_IF_ERROR(CheckBaseUrl(options.base_url));
  CM_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> http,
                      HttpClient::Create(options.http));
  return std::unique_ptr<NcmecClient>(
      new NcmecClient(std::move(options), std::move(http)));
}

std::string NcmecClient::FormatTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

absl::Status NcmecClient::Named(const absl::Status& status) const {
  return absl::Status(status.code(),
                      absl::StrCat(options_.name, ": ", status.message()));
}

absl::StatusOr<std::string> NcmecClient::Send(const std::string& method,
                                              absl::string_view path,
                                              std::string body) {
  HttpRequest request;
  request.method = method;
  request.url = absl::StrCat(options_.base_url, path);
  request.basic_auth = absl::StrCat(options_.credentials.username, ":",
                                    options_.credentials.password);
  request.max_response_bytes = static_cast<int64_t>(options_.limits.max_bytes);
  request.headers.emplace_back("Accept", "application/xml");
  if (!body.empty()) {
    request.body = std::move(body);
    request.content_type = "application/xml";
  }
  absl::StatusOr<HttpResponse> response = http_->Send(request);
  if (!response.ok()) return Named(response.status());
  return std::move(response->body);
}

absl::StatusOr<NcmecStatus> NcmecClient::GetStatus() {
  CM_ASSIGN_OR_RETURN(std::string body, Send("GET", "/v2/status", ""));
  absl::StatusOr<NcmecStatus> status = ParseNcmecStatus(body, options_.limits);
  if (!status.ok()) return Named(status.status());
  return status;
}

absl::StatusOr<NcmecEntriesPage> NcmecClient::ParseEntriesOf(
    absl::string_view path) {
  CM_ASSIGN_OR_RETURN(std::string body, Send("GET", path, ""));
  absl::StatusOr<NcmecEntriesPage> page =
      ParseNcmecEntries(body, options_.limits);
  if (!page.ok()) return Named(page.status());
  return page;
}

absl::StatusOr<NcmecEntriesPage> NcmecClient::GetEntries(absl::Time from,
                                                         absl::Time to) {
  return ParseEntriesOf(
      absl::StrCat("/v2/entries?from=", PercentEncode(FormatTime(from)),
                   "&to=", PercentEncode(FormatTime(to))));
}

absl::StatusOr<NcmecEntriesPage> NcmecClient::Follow(absl::string_view next) {
  const bool path_like =
      absl::StartsWith(next, "/") && !absl::StartsWith(next, "//") &&
      next.find_first_of(" \t\r\n@\\") == absl::string_view::npos;
  if (!path_like) {
    return absl::InvalidArgumentError(
        absl::StrCat(options_.name, ": paging next \"", next.substr(0, 200),
                     "\" is not a path relative to the base URL"));
  }
  return ParseEntriesOf(next);
}

absl::StatusOr<std::vector<NcmecFeedbackReason>>
NcmecClient::GetFeedbackReasons(absl::string_view type) {
  CM_ASSIGN_OR_RETURN(
      std::string body,
      Send("GET",
           absl::StrCat("/v2/feedback/", PercentEncode(type), "/reasons"), ""));
  absl::StatusOr<std::vector<NcmecFeedbackReason>> reasons =
      ParseNcmecFeedbackReasons(body, options_.limits);
  if (!reasons.ok()) return Named(reasons.status());
  return reasons;
}

absl::Status NcmecClient::PutFeedback(int64_t member_id, absl::string_view id,
                                      absl::string_view type,
                                      absl::string_view negative_reason_guid) {
  std::string body;
  if (negative_reason_guid.empty()) {
    body = NcmecAffirmativeFeedbackXml();
  } else {
    absl::StatusOr<std::string> negative =
        NcmecNegativeFeedbackXml(negative_reason_guid);
    if (!negative.ok()) return Named(negative.status());
    body = *std::move(negative);
  }
  return Send("PUT",
              absl::StrCat("/v2/entries/", member_id, "/", PercentEncode(id),
                           "/", PercentEncode(type), "/feedback"),
              std::move(body))
      .status();
}

}  // namespace clearmatch
