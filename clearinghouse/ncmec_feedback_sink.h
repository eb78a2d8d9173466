// NcmecFeedbackSink: reviewers' verdicts on matches of an NCMEC source's
// entries, sent back with PUT /v2/entries/{member}/{id}/{TYPE}/feedback:
// CONFIRMED as affirmative, FALSE_POSITIVE as negative with a reason.
//
//   NcmecFeedbackSink::Options options;
//   options.name = "ncmec";   // the bank of the source's entries
//   options.base_url = ...; options.credentials = ...;
//   CM_ASSIGN_OR_RETURN(auto sink, NcmecFeedbackSink::Create(options));
//   ... FeedbackDispatcher hands it one item at a time ...
//
// TYPE is the matched hash type (md5 MD5, sha1 SHA1, pdq PDQ). The reason
// of a negative is negative_reason_guid or, when that is empty, the only
// reason GET /v2/feedback/{TYPE}/reasons offers (looked up once per TYPE);
// a list of several with none configured rejects the item. Outcomes: 429,
// 5xx and connection failures retry, other refusals (4xx, an entry id or a
// hash type NCMEC cannot take) are rejected.
//
// Thread-compatible: called from the dispatcher's thread only.
#ifndef CLEARMATCH_CLEARINGHOUSE_NCMEC_FEEDBACK_SINK_H_
#define CLEARMATCH_CLEARINGHOUSE_NCMEC_FEEDBACK_SINK_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "clearinghouse/credentials.h"
#include "clearinghouse/feedback_sink.h"
#include "clearinghouse/ncmec_client.h"
#include "http/http_client.h"

namespace clearmatch {

class NcmecFeedbackSink final : public FeedbackSink {
 public:
  struct Options {
    std::string name = "ncmec";  // the source (bank) it answers for
    std::string base_url;
    NcmecCredentials credentials;
    std::string ca_file;
    std::string negative_reason_guid;  // empty: the only one offered
    // Few attempts: the dispatcher retries later with its own backoff.
    HttpClient::Options http = [] {
      HttpClient::Options http;
      http.max_attempts = 2;
      return http;
    }();
  };

  // INVALID_ARGUMENT for a negative_reason_guid that is not a GUID; errors
  // of NcmecClient::Create.
  static absl::StatusOr<std::unique_ptr<NcmecFeedbackSink>> Create(
      Options options);

  const std::string& bank() const override { return options_.name; }
  size_t max_batch() const override { return 1; }
  std::vector<FeedbackResult> Send(
      absl::Span<const FeedbackItem> items) override;

  // "MD5", "SHA1", "PDQ" for md5, sha1, pdq; INVALID_ARGUMENT otherwise.
  static absl::StatusOr<std::string> FeedbackType(absl::string_view hash_type);

 private:
  NcmecFeedbackSink(Options options, std::unique_ptr<NcmecClient> client)
      : options_(std::move(options)), client_(std::move(client)) {}
  FeedbackResult SendOne(const FeedbackItem& item);
  // The GUID for a negative on `type`.
  absl::StatusOr<std::string> NegativeReason(const std::string& type);

  const Options options_;
  const std::unique_ptr<NcmecClient> client_;
  std::map<std::string, std::string> reason_by_type_;  // looked up
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_NCMEC_FEEDBACK_SINK_H_
