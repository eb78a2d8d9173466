// The checks of review requests that every ReviewStore makes the same way:
// page sizes, time ranges, reviewer and note, decision outcomes, and the
// opaque page tokens of keyset pagination.
//
//   CM_ASSIGN_OR_RETURN(const int page_size, PageSize(request.page_size()));
//   CM_ASSIGN_OR_RETURN(const int64_t after,
//                       ParsePageToken(request.page_token(), "allowlist", 0));
//   ... response.set_next_page_token(MakePageToken(last_id, "allowlist"));
//
// Pure functions; INVALID_ARGUMENT naming the field and the bad value.
#ifndef CLEARMATCH_REVIEW_REVIEW_REQUEST_CHECKS_H_
#define CLEARMATCH_REVIEW_REVIEW_REQUEST_CHECKS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.pb.h"

namespace clearmatch::review_internal {

// 0 means ReviewStore::kDefaultPageSize; at most kMaxPageSize.
absl::StatusOr<int> PageSize(int32_t requested);
// [start, end) in unix microseconds, 0 = no bound.
absl::Status CheckTimeRange(int64_t start, int64_t end);
// A reviewer is required; both within ReviewStore's byte limits.
absl::Status CheckReviewer(absl::string_view reviewer, absl::string_view note);
// ListMatches' enum filters: known values of status, decision, outcome,
// context and order.
absl::Status CheckListMatchesFilters(const v1::ListMatchesRequest& request);
// CONFIRMED, FALSE_POSITIVE or ESCALATED.
absl::Status CheckOutcome(v1::ReviewOutcome outcome);
// The outcome a new decision on `record` replaces (UNSPECIFIED: none);
// FAILED_PRECONDITION if there is one and `request` does not override it.
absl::StatusOr<v1::ReviewOutcome> ReplacedOutcome(
    const v1::MatchRecord& record, const v1::DecideRequest& request);

// Page tokens: web-safe base64 of "<last key>:<filter fingerprint>". The
// fingerprint makes a token from a listing with other filters an error
// rather than a silently wrong page.
std::string MakePageToken(int64_t last_key, absl::string_view fingerprint);
// The key after which the page starts; `none` when there is no token.
absl::StatusOr<int64_t> ParsePageToken(absl::string_view token,
                                       absl::string_view fingerprint,
                                       int64_t none);
// The fingerprint of a ListMatches request's filters.
std::string ListMatchesFingerprint(const v1::ListMatchesRequest& request);
// The fingerprint of a ListAudit request's filter.
std::string ListAuditFingerprint(const v1::ListAuditRequest& request);
// The fingerprint of a ListFeedback request's filters.
std::string ListFeedbackFingerprint(const v1::ListFeedbackRequest& request);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_REVIEW_REQUEST_CHECKS_H_
