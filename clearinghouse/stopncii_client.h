// StopNciiClient: the two StopNCII API calls clearmatch makes
// (../shared/specs/CLEARINGHOUSES.md, "StopNCII API"), over HttpClient:
// FetchHashes (one page) and SubmitFeedback (one batch). Every request
// carries `Ocp-Apim-Subscription-Key` and the `x-functions-key` of its
// endpoint.
//
//   StopNciiClient::Options options;
//   options.base_url = "https://api.stopncii.org/v1";
//   options.credentials = *ParseStopNciiCredentials(text);
//   CM_ASSIGN_OR_RETURN(auto client, StopNciiClient::Create(options));
//   CM_ASSIGN_OR_RETURN(StopNciiPage page, client->FetchHashes(0, 1000, ""));
//
// Thread-compatible (one HttpClient): one per thread.
#ifndef CLEARMATCH_CLEARINGHOUSE_STOPNCII_CLIENT_H_
#define CLEARMATCH_CLEARINGHOUSE_STOPNCII_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "clearinghouse/credentials.h"
#include "clearinghouse/stopncii_json.h"
#include "http/http_client.h"

namespace clearmatch {

class StopNciiClient {
 public:
  struct Options {
    std::string base_url;  // https://, or http:// on loopback only
    StopNciiCredentials credentials;
    HttpClient::Options http;  // its https_only is set from base_url
    StopNciiJsonLimits limits;
  };

  // INVALID_ARGUMENT "base_url: ..." for a URL that is neither https:// nor
  // http:// to 127.0.0.1, localhost or [::1]; errors of HttpClient::Create.
  static absl::StatusOr<std::unique_ptr<StopNciiClient>> Create(
      Options options);

  // GET <base>/FetchHashes?startTimestamp=S&pageSize=N[&nextPageToken=T]
  // (no token when `page_token` is empty). Errors of HttpClient::Send and
  // of ParseFetchHashesPage.
  absl::StatusOr<StopNciiPage> FetchHashes(int64_t start_timestamp,
                                           int page_size,
                                           const std::string& page_token);

  // POST <base>/SubmitFeedback with the batch. Errors of HttpClient::Send.
  absl::Status SubmitFeedback(absl::Span<const StopNciiFeedback> feedbacks);

  const std::string& base_url() const { return options_.base_url; }

 private:
  StopNciiClient(Options options, std::unique_ptr<HttpClient> http)
      : options_(std::move(options)), http_(std::move(http)) {}

  const Options options_;
  const std::unique_ptr<HttpClient> http_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_STOPNCII_CLIENT_H_
