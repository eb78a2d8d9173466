// The review audit trail's tamper evidence: every audit row (a decision, an
// allowlist change) is chained to the previous one by
//   hash = SHA-256(previous row's hash || canonical row content)
// (lowercase hex; the first row's previous hash is 64 zeros), and
// VerifyAuditChain re-checks a store file offline.
//
//   std::string content = CanonicalFields({"12", "CONFIRMED", "alice", ""});
//   std::string hash = AuditRowHash(prev, seq, at_micros, "decide", content);
//   CM_ASSIGN_OR_RETURN(int64_t seq, AppendAuditRow(db, "decide", content,
//   at)); absl::StatusOr<int64_t> rows = VerifyAuditChain("review.sqlite");
//
// Pure functions, the writer of audit rows and a read-only SQLite reader;
// thread-safe (AppendAuditRow: as its connection).
#ifndef CLEARMATCH_REVIEW_AUDIT_CHAIN_H_
#define CLEARMATCH_REVIEW_AUDIT_CHAIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch {

// The previous hash of the first row.
inline constexpr absl::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// An unambiguous encoding of a list of fields: "<length>:<bytes>;" each.
std::string CanonicalFields(const std::vector<std::string>& fields);
// The fields of CanonicalFields' encoding; nullopt when `encoded` is not one.
std::optional<std::vector<std::string>> ParseCanonicalFields(
    absl::string_view encoded);

// The hash of one audit row.
std::string AuditRowHash(absl::string_view prev_hash, int64_t seq,
                         int64_t at_micros, absl::string_view kind,
                         absl::string_view content);

// The audit content of a decision (kind "decide"); its audit row's time is
// the decision's time.
std::string DecisionAuditContent(int64_t match_id, int outcome,
                                 absl::string_view reviewer,
                                 absl::string_view note, bool override);

// Appends the audit row (kind, content) at `at_micros` to the review
// database `db`: the next sequence number, chained to the last row, and
// indexes it under `match_id` (the match it is about; 0: none). Runs
// inside the caller's transaction, with the connection's lock held; returns
// the new row's sequence number.
absl::StatusOr<int64_t> AppendAuditRow(SqliteConnection& db,
                                       absl::string_view kind,
                                       absl::string_view content,
                                       int64_t at_micros, int64_t match_id);

// Checks the audit chain of the review store at `path` (opened read-only):
// sequence numbers 1, 2, 3... without gaps, each row's prev_hash equal to
// the previous row's hash, each hash equal to the recomputed one, and each
// decision row equal to the audit row it points to. Returns the number of
// audit rows; DATA_LOSS naming the first bad row and what is wrong with it;
// the open errors of SQLite (FAILED_PRECONDITION for a missing file).
// Deleting the newest rows is not detectable from the file alone: compare
// the row count or last hash with a copy kept elsewhere.
absl::StatusOr<int64_t> VerifyAuditChain(const std::string& path);

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_AUDIT_CHAIN_H_
