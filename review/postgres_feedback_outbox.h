// The queries of the PostgreSQL review store on its feedback_outbox table:
// the counterparts of review/sqlite_feedback_outbox.h, which says what
// each does. Each takes the connection (the caller holds its lock); writes
// run inside the caller's transaction. Times are unix microseconds.
#ifndef CLEARMATCH_REVIEW_POSTGRES_FEEDBACK_OUTBOX_H_
#define CLEARMATCH_REVIEW_POSTGRES_FEEDBACK_OUTBOX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.pb.h"
#include "postgres/postgres_connection.h"

namespace clearmatch::review_internal {

absl::Status InsertFeedback(PostgresConnection& db,
                            const v1::MatchRecord& record,
                            const v1::DecideRequest& request,
                            int64_t now_micros);
absl::StatusOr<std::vector<v1::FeedbackRow>> SelectDueFeedback(
    PostgresConnection& db, int64_t now_micros, int limit,
    const std::vector<std::string>& skip_banks);
absl::Status FinishFeedbackAttempt(PostgresConnection& db, int64_t id,
                                   v1::FeedbackState state,
                                   absl::string_view error, int64_t now_micros);
absl::Status PostponeFeedback(PostgresConnection& db, int64_t id,
                              int64_t next_attempt_micros,
                              absl::string_view error, int64_t now_micros);
absl::Status MarkFeedbackNotApplicable(PostgresConnection& db, int64_t id,
                                       int64_t now_micros);
absl::StatusOr<std::vector<v1::FeedbackRow>> SelectFeedbackPage(
    PostgresConnection& db, const v1::ListFeedbackRequest& request,
    int64_t after, int limit);
absl::StatusOr<std::vector<v1::FeedbackCount>> CountFeedback(
    PostgresConnection& db, v1::FeedbackState state);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_POSTGRES_FEEDBACK_OUTBOX_H_
