// Verdicts to StopNCII's SubmitFeedback, a batch per POST.
#include "clearinghouse/stopncii_feedback_sink.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/hex.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

// A StopNCII hash as the index keeps it: 64 (PDQ) or 32 (MD5) lowercase
// hex digits.
bool IsStopNciiHash(const std::string& entry_id) {
  return (entry_id.size() == 64 || entry_id.size() == 32) &&
         IsLowercaseHex(entry_id);
}

// Whether a failed POST may succeed later with the same batch.
bool IsRetryable(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kFailedPrecondition:  // other 4xx
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kInvalidArgument:
      return false;
    default:  // UNAVAILABLE, DEADLINE_EXCEEDED, UNAUTHENTICATED, ...
      return true;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<StopNciiFeedbackSink>>
StopNciiFeedbackSink::Create(Options options) {
  if (options.max_batch == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("stopncii feedback ", options.bank, ": max_batch is 0"));
  }
  StopNciiClient::Options client_options;
  client_options.base_url = options.base_url;
  client_options.credentials = options.credentials;
  client_options.http = options.http;
  if (!options.ca_file.empty()) client_options.http.ca_file = options.ca_file;
  CM_ASSIGN_OR_RETURN(std::unique_ptr<StopNciiClient> client,
                      StopNciiClient::Create(std::move(client_options)));
  return std::unique_ptr<StopNciiFeedbackSink>(
      new StopNciiFeedbackSink(std::move(options), std::move(client)));
}

std::vector<FeedbackResult> StopNciiFeedbackSink::Send(
    absl::Span<const FeedbackItem> items) {
  std::vector<FeedbackResult> results(items.size());
  std::vector<StopNciiFeedback> feedbacks;
  std::vector<size_t> sent;  // indexes of `items` in `feedbacks`
  for (size_t i = 0; i < items.size(); ++i) {
    if (!IsStopNciiHash(items[i].entry_id)) {
      results[i] = {FeedbackOutcome::kRejected,
                    absl::InvalidArgumentError(
                        absl::StrCat("outbox row ", items[i].id,
                                     ": entry id is not a StopNCII hash"))};
      continue;
    }
    feedbacks.push_back(
        {items[i].entry_id, items[i].verdict == FeedbackVerdict::kConfirmed
                                ? "Blocked"
                                : "NotBlocked"});
    sent.push_back(i);
  }
  if (feedbacks.empty()) return results;
  const absl::Status status = client_->SubmitFeedback(feedbacks);
  const FeedbackOutcome outcome =
      status.ok() ? FeedbackOutcome::kSent
                  : (IsRetryable(status) ? FeedbackOutcome::kRetry
                                         : FeedbackOutcome::kRejected);
  for (const size_t i : sent) results[i] = {outcome, status};
  return results;
}

}  // namespace clearmatch
