// ReviewStore: what the matcher and the review services need from the
// review module's storage: the log of recorded verdicts, reviewers'
// decisions, the allowlist of (content hash, entry) pairs that a
// FALSE_POSITIVE suppresses, the outbox of reviewers' verdicts (feedback)
// for the clearinghouses, and the hash-chained audit trail
// (review/audit_chain.h).
// Never stores media. SqliteReviewStore (review/sqlite_review_store.h: one
// replica) and PostgresReviewStore (review/postgres_review_store.h: several
// replicas on one database) implement it; OpenReviewStore
// (review/review_store_factory.h) picks one by review_database_url.
//
//   std::unique_ptr<ReviewStore> store = ...;  // e.g. SqliteReviewStore
//   bool queued = store->Enqueue(record);  // request path: never blocks
//   store->IsAllowlisted(ReviewStore::AllowlistKey(hashes, false, match),
//                        match.bank(), match.entry_id());
//   CM_ASSIGN_OR_RETURN(v1::MatchRecord r, store->Decide(decision_request));
//
// Recording is asynchronous: Enqueue puts the record on a bounded queue
// and says whether it took it; a full queue refuses the record (counted in
// stats().not_recorded; the caller must say the verdict was not recorded).
// A taken record is never dropped: a failed write (full disk) is counted
// in stats().write_failures and retried with backoff until the store
// recovers; only Close gives up on a store that still fails, counting what
// it loses in stats().lost. Close writes everything queued before
// returning. Decisions and allowlist changes are synchronous and durable
// when Decide / RemoveAllowlistEntry return; so are a decision's feedback
// rows.
//
// The feedback outbox: every CONFIRMED or FALSE_POSITIVE decision (also an
// override) adds one FEEDBACK_PENDING row per matched entry, in the
// decision's transaction, and marks the rows of the same match still
// pending FEEDBACK_SUPERSEDED (only the latest verdict goes out; a row sent
// already stays sent, and the new one is sent too). ESCALATED adds and
// changes nothing. A dispatcher (clearinghouse/feedback_dispatcher.h) takes
// the due rows and records each attempt's result.
//
// Implementations are thread-safe.
#ifndef CLEARMATCH_REVIEW_REVIEW_STORE_H_
#define CLEARMATCH_REVIEW_REVIEW_STORE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clearmatch/v1/review.pb.h"

namespace clearmatch {

class ReviewStore {
 public:
  // Counters of recorded verdicts since the store was opened.
  struct Stats {
    int64_t recorded = 0;        // written to the file
    int64_t not_recorded = 0;    // refused by Enqueue: queue full, or closed
    int64_t write_failures = 0;  // failed batch writes (their records wait)
    int64_t lost = 0;            // given up at Close: the store still failed
    int64_t queued = 0;          // waiting or being written now
  };

  // Most results per page.
  static constexpr int kMaxPageSize = 1000;
  static constexpr int kDefaultPageSize = 50;
  // Longest reviewer id and note (bytes).
  static constexpr size_t kMaxReviewerBytes = 256;
  static constexpr size_t kMaxNoteBytes = 4096;

  virtual ~ReviewStore() = default;

  // Queues `record` (match_id is assigned when written; a zero
  // recorded_unix_micros becomes now). Never blocks on I/O. False when the
  // record was refused (queue full, or closed): it will never be written.
  virtual bool Enqueue(v1::MatchRecord record) = 0;
  // Waits until everything enqueued before the call is written, or until
  // the store is failing (the records stay queued for the retry).
  virtual void Flush() = 0;
  // Writes what is queued and stops recording (records a still-failing
  // store does not take are lost and counted). Later Enqueues are refused.
  virtual void Close() = 0;
  virtual Stats stats() const = 0;

  // The key under which the allowlist knows `match`'s entry for this
  // content: the content's own hash of the kind that matched. A PDQ match
  // of an image (also by a rotation, or by its content with the borders
  // trimmed: "trimmed", "trimmed+rot90"...): "pdq:<the untransformed,
  // untrimmed PDQ hash>"; an md5/sha1/sha256 match: "md5:<hex>" (...) of the
  // file; a video's match (a vPDQ entry, or its frames against an image entry):
  // "sha256:<the video file's SHA-256>". Empty when the match cannot be
  // allowlisted: the hash is missing, or `hashes_from_caller` and the key would
  // not be the very hash that matched (a caller's SHA-256 of a video is not
  // bound to its frames, nor its "original" PDQ hash to a rotated one or to a
  // second "original"). Hex in lower case.
  static std::string AllowlistKey(const v1::Hashes& content,
                                  bool hashes_from_caller,
                                  const v1::Match& match);
  // Whether a FALSE_POSITIVE put (content_key, bank/entry) on the
  // allowlist. In memory; cheap.
  virtual bool IsAllowlisted(absl::string_view content_key,
                             absl::string_view bank,
                             absl::string_view entry_id) const = 0;

  // Newest first (or oldest first: the review queue), with the counts
  // (total_count of the filters, pending_count and the oldest pending
  // record of all). INVALID_ARGUMENT for a bad page size, page token (also
  // a token from a listing with other filters), time range or enum filter.
  virtual absl::StatusOr<v1::ListMatchesResponse> ListMatches(
      const v1::ListMatchesRequest& request) = 0;
  // NOT_FOUND for an unknown id.
  virtual absl::StatusOr<v1::MatchRecord> GetMatch(int64_t match_id) = 0;
  // Records a decision (reviewer required), its feedback rows and, for
  // FALSE_POSITIVE, per matched entry the pair (AllowlistKey of the
  // record's hashes, entry), none when the record's hashes came from the
  // caller (the decision and its feedback still count; an audit row says
  // that nothing was allowlisted); overriding a FALSE_POSITIVE takes
  // its pairs off the allowlist. Returns the updated record. Errors:
  // INVALID_ARGUMENT (outcome, reviewer, note), NOT_FOUND (match),
  // FAILED_PRECONDITION (decided already and no override), the write's.
  virtual absl::StatusOr<v1::MatchRecord> Decide(
      const v1::DecideRequest& request) = 0;
  // Matches whose latest decision is CONFIRMED, newest first: ListMatches
  // with outcome CONFIRMED, as a report needs them.
  absl::StatusOr<v1::ExportConfirmedResponse> ExportConfirmed(
      const v1::ExportConfirmedRequest& request);

  // Oldest first.
  virtual absl::StatusOr<v1::ListAllowlistResponse> ListAllowlist(
      const v1::ListAllowlistRequest& request) = 0;
  // NOT_FOUND if the pair is not on the allowlist; INVALID_ARGUMENT without
  // a reviewer.
  virtual absl::Status RemoveAllowlistEntry(
      const v1::RemoveAllowlistEntryRequest& request) = 0;

  // ---- The feedback outbox ----
  // Pending rows due at `now` (no next attempt, or one at or before `now`),
  // oldest first, at most `limit` (INVALID_ARGUMENT unless positive), none
  // of a bank in `skip_banks` (banks backing off).
  virtual absl::StatusOr<std::vector<v1::FeedbackRow>> DueFeedback(
      absl::Time now, int limit,
      const std::vector<std::string>& skip_banks) = 0;
  absl::StatusOr<std::vector<v1::FeedbackRow>> PendingFeedback(absl::Time now,
                                                               int limit) {
    return DueFeedback(now, limit, {});
  }
  // Each records one attempt on a row. Rows that are no longer pending
  // (superseded, say, while they were sent) keep their state, except that
  // a superseded row that was sent becomes sent.
  virtual absl::Status MarkFeedbackSent(const std::vector<int64_t>& ids) = 0;
  virtual absl::Status RetryFeedbackLater(int64_t id,
                                          absl::Time next_attempt_at,
                                          absl::string_view error) = 0;
  // Refused for good: never sent again.
  virtual absl::Status MarkFeedbackRejected(int64_t id,
                                            absl::string_view error) = 0;
  // For rows of banks that take no feedback: never picked again, no
  // attempt counted.
  virtual absl::Status MarkFeedbackNotApplicable(
      const std::vector<int64_t>& ids) = 0;
  // Oldest first, with the counts of the whole outbox. INVALID_ARGUMENT for
  // a bad page size or page token (also one from other filters).
  virtual absl::StatusOr<v1::ListFeedbackResponse> ListFeedback(
      const v1::ListFeedbackRequest& request) = 0;
  // Non-zero counts by bank and state; of `state` only unless UNSPECIFIED.
  virtual absl::StatusOr<std::vector<v1::FeedbackCount>> CountFeedback(
      v1::FeedbackState state) = 0;

  // ---- For the reviewers' web page (issue 16) ----
  // The audit rows (of one match, or all), oldest first. INVALID_ARGUMENT
  // for a bad page size, match id or token (also one of another match).
  virtual absl::StatusOr<v1::ListAuditResponse> ListAudit(
      const v1::ListAuditRequest& request) = 0;
  // Latest decisions per UTC day and per bank, the time from recording to
  // the first decision (median, 90th percentile), the queue's size and age.
  // INVALID_ARGUMENT for a bad time range.
  virtual absl::StatusOr<v1::ReviewStats> GetStats(
      const v1::GetStatsRequest& request) = 0;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_REVIEW_STORE_H_
