// The listings and reports of the reviewers' web page that both review
// stores answer the same way, over a ReviewReader (review/review_reader.h)
// and the shared SQL (review/review_report_sql.h): ListMatches' pages with
// their counts, ListAudit's pages and GetStats; with the same answers from
// SQLite and PostgreSQL for the same data.
//
//   absl::MutexLock lock(&db_mu_);
//   PostgresReviewDatabase reader(db_);
//   return review_internal::ListMatchesPage(reader, request);
//
// Thread-compatible (the reader's connection, whose lock the caller holds).
#ifndef CLEARMATCH_REVIEW_REVIEW_LISTING_H_
#define CLEARMATCH_REVIEW_REVIEW_LISTING_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.pb.h"
#include "review/review_reader.h"

namespace clearmatch::review_internal {

// ListMatches (ReviewStore::ListMatches): the page of `request`'s order and
// filters, its next page token (bound to the filters) and the counts.
// INVALID_ARGUMENT for a bad page size, time range, enum filter or token.
absl::StatusOr<v1::ListMatchesResponse> ListMatchesPage(
    ReviewReader& reader, const v1::ListMatchesRequest& request);

// ListAudit: the audit rows (of one match, or all) oldest first, each with
// the fields its content holds (decide: actor, outcome, note; allowlist
// changes: the pair, actor, note = reason). INVALID_ARGUMENT for a bad page
// size, a negative match id or a bad token.
absl::StatusOr<v1::ListAuditResponse> ListAuditPage(
    ReviewReader& reader, const v1::ListAuditRequest& request);

// GetStats over the decisions in `request`'s time range: latest decisions
// per UTC day and per bank, the time from recording to the first decision
// (median and 90th percentile, Percentile), the queue's size and age (of
// all records). INVALID_ARGUMENT for a bad time range.
absl::StatusOr<v1::ReviewStats> SelectStats(ReviewReader& reader,
                                            const v1::GetStatsRequest& request);

// The match an audit row (kind, canonical content) is about, read from the
// content: a decision's match, or the "match N" / "override of match N" of
// an allowlist change; 0 when the content names none (a removal by hand
// names its match in audit_matches only).
int64_t AuditContentMatchId(absl::string_view kind, absl::string_view content);

// The `fraction` (0..1) percentile of sorted `values`, interpolated
// linearly between the closest ranks; 0 for no values.
double Percentile(const std::vector<double>& sorted_values, double fraction);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_REVIEW_LISTING_H_
