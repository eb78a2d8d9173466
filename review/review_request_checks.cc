// Review request checks and page tokens.
#include "review/review_request_checks.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "hashing/file_digests.h"
#include "review/audit_chain.h"
#include "review/review_store.h"

namespace clearmatch::review_internal {

absl::StatusOr<int> PageSize(int32_t requested) {
  if (requested < 0 || requested > ReviewStore::kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: ", requested,
                                                   " is outside 0..",
                                                   ReviewStore::kMaxPageSize));
  }
  return requested == 0 ? ReviewStore::kDefaultPageSize : requested;
}

absl::Status CheckTimeRange(int64_t start, int64_t end) {
  if (start < 0 || end < 0 || (end != 0 && end <= start)) {
    return absl::InvalidArgumentError(
        absl::StrCat("time range: [", start, ", ", end,
                     ") is not a range of unix microseconds (0 = no bound)"));
  }
  return absl::OkStatus();
}

absl::Status CheckReviewer(absl::string_view reviewer, absl::string_view note) {
  if (reviewer.empty()) {
    return absl::InvalidArgumentError("reviewer: required");
  }
  if (reviewer.size() > ReviewStore::kMaxReviewerBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("reviewer: ", reviewer.size(), " bytes; at most ",
                     ReviewStore::kMaxReviewerBytes));
  }
  if (note.size() > ReviewStore::kMaxNoteBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "note: ", note.size(), " bytes; at most ", ReviewStore::kMaxNoteBytes));
  }
  return absl::OkStatus();
}

absl::Status CheckListMatchesFilters(const v1::ListMatchesRequest& request) {
  const auto bad = [](absl::string_view field, int value) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", value, " is not a known value"));
  };
  if (!v1::ListMatchesRequest::Status_IsValid(request.status())) {
    return bad("status", request.status());
  }
  if (!v1::Decision_IsValid(request.decision())) {
    return bad("decision", request.decision());
  }
  if (!v1::ReviewOutcome_IsValid(request.outcome())) {
    return bad("outcome", request.outcome());
  }
  if (!v1::Context_IsValid(request.context())) {
    return bad("context", request.context());
  }
  if (!v1::ListMatchesRequest::Order_IsValid(request.order())) {
    return bad("order", request.order());
  }
  return absl::OkStatus();
}

absl::Status CheckOutcome(v1::ReviewOutcome outcome) {
  if (outcome != v1::CONFIRMED && outcome != v1::FALSE_POSITIVE &&
      outcome != v1::ESCALATED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "outcome: ", outcome,
        " is not CONFIRMED (1), FALSE_POSITIVE (2) or ESCALATED (3)"));
  }
  return absl::OkStatus();
}

std::string MakePageToken(int64_t last_key, absl::string_view fingerprint) {
  return absl::WebSafeBase64Escape(absl::StrCat(last_key, ":", fingerprint));
}

absl::StatusOr<int64_t> ParsePageToken(absl::string_view token,
                                       absl::string_view fingerprint,
                                       int64_t none) {
  if (token.empty()) return none;
  std::string decoded;
  int64_t key = 0;
  if (token.size() > 200 || !absl::WebSafeBase64Unescape(token, &decoded)) {
    return absl::InvalidArgumentError("page_token: not a page token");
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(decoded, ':');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &key) || key < 0) {
    return absl::InvalidArgumentError("page_token: not a page token");
  }
  if (parts[1] != fingerprint) {
    return absl::InvalidArgumentError(
        "page_token: it belongs to a listing with other filters");
  }
  return key;
}

std::string ListMatchesFingerprint(const v1::ListMatchesRequest& request) {
  return Sha256Hex(CanonicalFields(
                       {absl::StrCat(request.status()), request.bank(),
                        absl::StrCat(request.decision()),
                        absl::StrCat(request.outcome()),
                        absl::StrCat(request.start_unix_micros()),
                        absl::StrCat(request.end_unix_micros()),
                        request.category(), absl::StrCat(request.context()),
                        absl::StrCat(request.order())}))
      .substr(0, 16);
}

std::string ListAuditFingerprint(const v1::ListAuditRequest& request) {
  return Sha256Hex(CanonicalFields({"audit", absl::StrCat(request.match_id())}))
      .substr(0, 16);
}

std::string ListFeedbackFingerprint(const v1::ListFeedbackRequest& request) {
  return Sha256Hex(CanonicalFields({"feedback", absl::StrCat(request.state()),
                                    request.bank()}))
      .substr(0, 16);
}

absl::StatusOr<v1::ReviewOutcome> ReplacedOutcome(
    const v1::MatchRecord& record, const v1::DecideRequest& request) {
  if (record.decisions().empty()) return v1::REVIEW_OUTCOME_UNSPECIFIED;
  const v1::ReviewDecision& last = *record.decisions().rbegin();
  if (last.outcome() != v1::REVIEW_OUTCOME_UNSPECIFIED && !request.override()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "match ", record.match_id(), " is decided already (",
        v1::ReviewOutcome_Name(last.outcome()), " by ", last.reviewer(),
        "); set override to replace the decision"));
  }
  return last.outcome();
}

}  // namespace clearmatch::review_internal
