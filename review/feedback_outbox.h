// The queries of both review stores on their feedback_outbox table
// (review/sqlite_review_schema.h, review/postgres_review_schema.h): the
// rows a decision adds, the rows due for sending, their results, and the
// listing; written once over a ReviewDatabase (review/review_database.h),
// in its dialect.
//
//   CM_RETURN_IF_ERROR(InsertFeedback(db, record, request, now_micros));
//
// Each takes the database (the caller holds its connection's lock); writes
// run inside the caller's transaction. Times are unix microseconds.
#ifndef CLEARMATCH_REVIEW_FEEDBACK_OUTBOX_H_
#define CLEARMATCH_REVIEW_FEEDBACK_OUTBOX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.pb.h"
#include "review/review_database.h"

namespace clearmatch::review_internal {

// For a CONFIRMED or FALSE_POSITIVE `request` on `record`: marks the
// match's pending rows superseded and adds one pending row per distinct
// (bank, entry id, hash type) the record matched. Other outcomes: nothing.
absl::Status InsertFeedback(ReviewDatabase& db, const v1::MatchRecord& record,
                            const v1::DecideRequest& request,
                            int64_t now_micros);

// Pending rows whose next attempt is at or before `now_micros`, oldest
// first, at most `limit`, none of a bank in `skip_banks`.
absl::StatusOr<std::vector<v1::FeedbackRow>> SelectDueFeedback(
    ReviewDatabase& db, int64_t now_micros, int limit,
    const std::vector<std::string>& skip_banks);

// Counts one attempt and moves the row to `state` with `error` (sent:
// pending or superseded rows; the others: pending rows only). Rows in
// other states are left as they are.
absl::Status FinishFeedbackAttempt(ReviewDatabase& db, int64_t id,
                                   v1::FeedbackState state,
                                   absl::string_view error, int64_t now_micros);
// Counts one failed attempt of a pending row and sets its next one.
absl::Status PostponeFeedback(ReviewDatabase& db, int64_t id,
                              int64_t next_attempt_micros,
                              absl::string_view error, int64_t now_micros);
// Pending rows -> not applicable, without an attempt.
absl::Status MarkFeedbackNotApplicable(ReviewDatabase& db, int64_t id,
                                       int64_t now_micros);

// Rows with id > `after` that `request` selects, oldest first, at most
// `limit`.
absl::StatusOr<std::vector<v1::FeedbackRow>> SelectFeedbackPage(
    ReviewDatabase& db, const v1::ListFeedbackRequest& request, int64_t after,
    int limit);
// Non-zero counts by bank and state (of `state` only, unless UNSPECIFIED),
// banks and states in byte order.
absl::StatusOr<std::vector<v1::FeedbackCount>> CountFeedback(
    ReviewDatabase& db, v1::FeedbackState state);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_FEEDBACK_OUTBOX_H_
