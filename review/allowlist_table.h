// The queries of both review stores on their allowlist table
// (review/sqlite_review_schema.h, review/postgres_review_schema.h), where
// every change also leaves an audit row; written once over a
// ReviewDatabase (review/review_database.h), in its dialect. The in-memory
// set is review/allowlist_set.h; SqliteReviewStore holds both, and
// PostgresAllowlist, which also tells the other replicas of each change.
//
//   CM_ASSIGN_OR_RETURN(bool changed, ApplyDecisionToAllowlist(
//                                         db, request, record, previous, now));
//   ... commit ...
//   if (changed) set.Replace(*SelectAllowlistKeys(db), version);
//
// Each takes the database (the caller holds its connection's lock); writes
// run inside the caller's transaction. Times are unix microseconds.
#ifndef CLEARMATCH_REVIEW_ALLOWLIST_TABLE_H_
#define CLEARMATCH_REVIEW_ALLOWLIST_TABLE_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.pb.h"
#include "review/review_database.h"

namespace clearmatch::review_internal {

// The fingerprint of the allowlist's page tokens (the same in either
// store).
inline constexpr absl::string_view kAllowlistTokenFingerprint = "allowlist";

// The table's triples, as keys of AllowlistSet::Key.
absl::StatusOr<absl::flat_hash_set<std::string>> SelectAllowlistKeys(
    ReviewDatabase& db);

// The allowlist side of the decision `request` on `record`, whose outcome
// was `previous`, each change with its audit row: an override of a
// FALSE_POSITIVE removes the pairs that it added (in the order they were
// added); a new FALSE_POSITIVE adds, per matched entry, the pair
// (ReviewStore::AllowlistKey of the record's hashes, entry), unless the
// record's hashes came from the caller (an "allowlist_skipped" row says
// so). True if the table changed.
absl::StatusOr<bool> ApplyDecisionToAllowlist(ReviewDatabase& db,
                                              const v1::DecideRequest& request,
                                              const v1::MatchRecord& record,
                                              v1::ReviewOutcome previous,
                                              int64_t now_micros);
// Removes one pair and adds its audit row; NOT_FOUND if it is not on the
// allowlist.
absl::Status RemovePair(ReviewDatabase& db,
                        const v1::RemoveAllowlistEntryRequest& request,
                        int64_t now_micros);
// The rows after row `after_row`, oldest first, at most `page_size`, with
// the token of the next page if there is one.
absl::StatusOr<v1::ListAllowlistResponse> SelectAllowlistPage(
    ReviewDatabase& db, int page_size, int64_t after_row);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_ALLOWLIST_TABLE_H_
