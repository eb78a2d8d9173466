// The SQLite review store's reports for the reviewers' web page: pages of
// the audit trail (review/audit_chain.h) and the decision statistics.
//
//   CM_ASSIGN_OR_RETURN(v1::ListAuditResponse page,
//                       SelectAuditPage(db, match_id, after_seq, limit));
//   CM_ASSIGN_OR_RETURN(v1::ReviewStats stats, SelectStats(db, request));
//
// Each takes the connection (the caller holds its lock); read-only.
#ifndef CLEARMATCH_REVIEW_SQLITE_REVIEW_REPORTS_H_
#define CLEARMATCH_REVIEW_SQLITE_REVIEW_REPORTS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.pb.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch::review_internal {

// The audit rows after sequence number `after_seq`, oldest first, at most
// `limit` (no page token set): every row, or those about `match_id` when it
// is not 0. Each entry's fields are read from its row's content (decide:
// actor, outcome, note; allowlist changes: the pair, actor, note = reason).
absl::StatusOr<v1::ListAuditResponse> SelectAuditPage(SqliteConnection& db,
                                                      int64_t match_id,
                                                      int64_t after_seq,
                                                      int limit);

// The statistics of `request`'s time range (of the decisions): latest
// decisions per UTC day and per bank, the time from recording to the first
// decision (median and 90th percentile, linear interpolation between the
// closest ranks), the queue's size and age (of all records).
absl::StatusOr<v1::ReviewStats> SelectStats(SqliteConnection& db,
                                            const v1::GetStatsRequest& request);

// The `fraction` (0..1) percentile of sorted `values`, interpolated
// linearly between the closest ranks; 0 for no values.
double Percentile(const std::vector<double>& sorted_values, double fraction);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_SQLITE_REVIEW_REPORTS_H_
