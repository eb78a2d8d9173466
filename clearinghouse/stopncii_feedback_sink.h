// StopNciiFeedbackSink: reviewers' verdicts back to StopNCII with
// SubmitFeedback, one POST per batch: CONFIRMED -> "Blocked",
// FALSE_POSITIVE -> "NotBlocked"; the item's entry id is the hash value.
//
//   StopNciiFeedbackSink::Options options;
//   options.bank = "stopncii";
//   options.base_url = "https://api.stopncii.org/v1";
//   options.credentials = credentials;
//   CM_ASSIGN_OR_RETURN(auto sink, StopNciiFeedbackSink::Create(options));
//   std::vector<FeedbackResult> results = sink->Send(items);
//
// Outcomes: every item of a batch that was accepted is kSent; when the
// POST fails transiently (429, 5xx, connection, timeout) or for lack of
// valid keys (401, 403: the operator can fix them, the verdicts stay
// right) every item is kRetry; any other 4xx rejects the batch (kRejected).
// An item whose entry id is no StopNCII hash is kRejected alone.
//
// Thread-compatible: called from the dispatcher's thread only.
#ifndef CLEARMATCH_CLEARINGHOUSE_STOPNCII_FEEDBACK_SINK_H_
#define CLEARMATCH_CLEARINGHOUSE_STOPNCII_FEEDBACK_SINK_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "clearinghouse/credentials.h"
#include "clearinghouse/feedback_sink.h"
#include "clearinghouse/stopncii_client.h"
#include "http/http_client.h"

namespace clearmatch {

class StopNciiFeedbackSink final : public FeedbackSink {
 public:
  struct Options {
    std::string bank = "stopncii";  // the source's name
    std::string base_url;
    StopNciiCredentials credentials;
    std::string ca_file;
    size_t max_batch = 100;
    // The dispatcher backs off between rounds: few attempts here.
    HttpClient::Options http = [] {
      HttpClient::Options http;
      http.max_attempts = 2;
      return http;
    }();
  };

  // INVALID_ARGUMENT for a bad URL or max_batch 0; HttpClient's errors.
  static absl::StatusOr<std::unique_ptr<StopNciiFeedbackSink>> Create(
      Options options);

  const std::string& bank() const override { return options_.bank; }
  size_t max_batch() const override { return options_.max_batch; }
  std::vector<FeedbackResult> Send(
      absl::Span<const FeedbackItem> items) override;

 private:
  StopNciiFeedbackSink(Options options, std::unique_ptr<StopNciiClient> client)
      : options_(std::move(options)), client_(std::move(client)) {}

  const Options options_;
  const std::unique_ptr<StopNciiClient> client_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_STOPNCII_FEEDBACK_SINK_H_
