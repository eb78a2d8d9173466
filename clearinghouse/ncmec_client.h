// NcmecClient: the calls of NCMEC's hash sharing API (v2) that clearmatch
// makes, over an HttpClient with HTTP Basic auth, each answer parsed and
// checked (clearinghouse/ncmec_xml.h).
//
//   NcmecClient::Options options;
//   options.base_url = "https://report.cybertip.org/hashsharing";
//   options.credentials = *ParseNcmecCredentials(*ReadCredentialsFile(path));
//   CM_ASSIGN_OR_RETURN(auto client, NcmecClient::Create(options));
//   CM_ASSIGN_OR_RETURN(NcmecEntriesPage page, client->GetEntries(from, to));
//   while (!page.next.empty()) {
//     CM_ASSIGN_OR_RETURN(page, client->Follow(page.next));
//   }
//
// Errors are HttpClient's (UNAUTHENTICATED for bad credentials, UNAVAILABLE
// after the retries, ...) or the parser's, prefixed with the source name;
// they never carry the credentials.
//
// Thread-compatible (one HttpClient).
#ifndef CLEARMATCH_CLEARINGHOUSE_NCMEC_CLIENT_H_
#define CLEARMATCH_CLEARINGHOUSE_NCMEC_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clearinghouse/credentials.h"
#include "clearinghouse/ncmec_xml.h"
#include "http/http_client.h"

namespace clearmatch {

class NcmecClient {
 public:
  struct Options {
    std::string name = "ncmec";  // for error messages
    // e.g. "https://report.cybertip.org/hashsharing" (a trailing '/' is
    // dropped); http:// only to a loopback host.
    std::string base_url;
    NcmecCredentials credentials;
    HttpClient::Options http;  // ca_file etc.
    NcmecXmlLimits limits;     // max_bytes also caps each transfer
  };

  // INVALID_ARGUMENT naming base_url for a URL that is not https:// (or
  // http:// to 127.0.0.1, ::1 or localhost) or has a query; errors of
  // HttpClient::Create.
  static absl::StatusOr<std::unique_ptr<NcmecClient>> Create(Options options);

  // GET /v2/status.
  absl::StatusOr<NcmecStatus> GetStatus();
  // GET /v2/entries?from=..&to=.. (UTC, whole seconds): the first page.
  absl::StatusOr<NcmecEntriesPage> GetEntries(absl::Time from, absl::Time to);
  // The page at `next` (a path from <paging><next>), appended to the base
  // URL as given. INVALID_ARGUMENT unless it is a path ("/...") without
  // whitespace: a page can never send the credentials elsewhere.
  absl::StatusOr<NcmecEntriesPage> Follow(absl::string_view next);
  // GET /v2/feedback/{type}/reasons; `type` e.g. "PDQ".
  absl::StatusOr<std::vector<NcmecFeedbackReason>> GetFeedbackReasons(
      absl::string_view type);
  // PUT /v2/entries/{member_id}/{id}/{type}/feedback: affirmative when
  // `negative_reason_guid` is empty, else negative with that reason.
  absl::Status PutFeedback(int64_t member_id, absl::string_view id,
                           absl::string_view type,
                           absl::string_view negative_reason_guid);

  // "YYYY-MM-DDTHH:MM:SSZ", as the from and to parameters take it.
  static std::string FormatTime(absl::Time time);

 private:
  NcmecClient(Options options, std::unique_ptr<HttpClient> http)
      : options_(std::move(options)), http_(std::move(http)) {}
  // The response body of one request to base URL + `path`.
  absl::StatusOr<std::string> Send(const std::string& method,
                                   absl::string_view path, std::string body);
  absl::StatusOr<NcmecEntriesPage> ParseEntriesOf(absl::string_view path);
  // `status` with the source name in front of its message.
  absl::Status Named(const absl::Status& status) const;

  const Options options_;
  const std::unique_ptr<HttpClient> http_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_NCMEC_CLIENT_H_
