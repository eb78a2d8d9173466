// The queries of the PostgreSQL review store on its matches, decisions and
// audit tables (review/postgres_review_schema.h), the counterparts of
// review/sqlite_review_queries.h and of AppendAuditRow
// (review/audit_chain.h); the allowlist's and the feedback outbox's, written
// once for both stores, are in review/allowlist_table.h and
// review/feedback_outbox.h.
//
// Each takes the connection (the caller holds its lock); writes run inside
// the caller's transaction.
#ifndef CLEARMATCH_REVIEW_POSTGRES_REVIEW_QUERIES_H_
#define CLEARMATCH_REVIEW_POSTGRES_REVIEW_QUERIES_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.pb.h"
#include "postgres/postgres_connection.h"

namespace clearmatch::review_internal {

// Inserts the records (their ids and decisions cleared; the database
// assigns the ids), the banks and the categories they match.
absl::Status InsertRecords(PostgresConnection& db,
                           std::vector<v1::MatchRecord>& records);
// Adds the categories that `record` (stored as `match_id`) matches.
absl::Status InsertCategories(PostgresConnection& db, int64_t match_id,
                              const v1::MatchRecord& record);

// The record with its id and decisions, oldest decision first. NOT_FOUND
// for an unknown id; DATA_LOSS for a stored record that does not parse.
// `lock`: FOR UPDATE (a decision holds the match until it commits, so
// that two replicas' decisions on one match are serialised).
absl::StatusOr<v1::MatchRecord> SelectMatch(PostgresConnection& db,
                                            int64_t match_id,
                                            bool lock = false);

// Appends the decision of `request` (and its audit row, at `now_micros`)
// and makes its outcome the match's.
absl::Status InsertDecision(PostgresConnection& db,
                            const v1::DecideRequest& request,
                            int64_t now_micros);

// Appends an audit row chained to the last one (review/audit_chain.h) and
// indexes it under `match_id` (the match it is about; 0: none); locks the
// audit table until the transaction ends, so that replicas append one
// after the other. Returns the row's sequence number.
absl::StatusOr<int64_t> AppendAuditRow(PostgresConnection& db,
                                       absl::string_view kind,
                                       absl::string_view content,
                                       int64_t at_micros, int64_t match_id);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_POSTGRES_REVIEW_QUERIES_H_
