// The queries of the SQLite review store on its matches and decisions
// tables (review/sqlite_review_schema.h); the allowlist's and the feedback
// outbox's, written once for both stores, are in review/allowlist_table.h
// and review/feedback_outbox.h, the audit trail's in review/audit_chain.h.
//
// Each takes the connection (the caller holds its lock); writes run inside
// the caller's transaction.
#ifndef CLEARMATCH_REVIEW_SQLITE_REVIEW_QUERIES_H_
#define CLEARMATCH_REVIEW_SQLITE_REVIEW_QUERIES_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearmatch/v1/review.pb.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch::review_internal {

// Inserts the records (their ids and decisions cleared; SQLite assigns the
// ids) and the banks they match.
absl::Status InsertRecords(SqliteConnection& db,
                           std::vector<v1::MatchRecord>& records);

// The record with its id and decisions, oldest decision first. NOT_FOUND
// for an unknown id; DATA_LOSS for a stored record that does not parse.
absl::StatusOr<v1::MatchRecord> SelectMatch(SqliteConnection& db,
                                            int64_t match_id);

// Appends the decision of `request` (and its audit row, at `now_micros`)
// and makes its outcome the match's.
absl::Status InsertDecision(SqliteConnection& db,
                            const v1::DecideRequest& request,
                            int64_t now_micros);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_SQLITE_REVIEW_QUERIES_H_
