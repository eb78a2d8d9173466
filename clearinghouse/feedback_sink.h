// FeedbackSink: where reviewers' verdicts on matches of a clearinghouse's
// entries go back to that clearinghouse (NCMEC, StopNCII). The feedback
// dispatcher takes due rows of the review store's outbox and hands them to
// the sink of their bank, at most max_batch() at a time.
#ifndef CLEARMATCH_CLEARINGHOUSE_FEEDBACK_SINK_H_
#define CLEARMATCH_CLEARINGHOUSE_FEEDBACK_SINK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace clearmatch {

enum class FeedbackVerdict { kConfirmed, kFalsePositive };
struct FeedbackItem {
  int64_t id = 0;        // the outbox row
  std::string bank;      // the source's name
  std::string entry_id;  // as in the index (NCMEC "<member>-<id>", StopNCII the
                         // hash value)
  std::string hash_type;  // HashTypeName of the matched entry: "pdq", "md5",
                          // "sha1", ...
  FeedbackVerdict verdict = FeedbackVerdict::kConfirmed;
  int64_t match_id = 0;
};
enum class FeedbackOutcome {
  kSent,
  kRetry,
  kRejected
};  // rejected: permanent (4xx), dropped with a count
struct FeedbackResult {
  FeedbackOutcome outcome = FeedbackOutcome::kSent;
  absl::Status status;  // why, when not sent
};
class FeedbackSink {  // one per clearinghouse source with feedback: true
 public:
  virtual ~FeedbackSink() = default;
  virtual const std::string& bank() const = 0;
  virtual size_t max_batch()
      const = 0;  // NCMEC 1 (one PUT per item), StopNCII e.g. 100
  // One result per item, in order. Called from the dispatcher's thread only.
  virtual std::vector<FeedbackResult> Send(
      absl::Span<const FeedbackItem> items) = 0;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_FEEDBACK_SINK_H_
