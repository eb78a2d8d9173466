// Audit chain hashing and offline verification.
#include "review/audit_chain.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hashing/file_digests.h"
#include "review/sqlite_connection.h"

namespace clearmatch {

using review_internal::SqliteConnection;
using review_internal::SqliteStatement;

std::string CanonicalFields(const std::vector<std::string>& fields) {
  std::string out;
  for (const std::string& field : fields) {
    absl::StrAppend(&out, field.size(), ":", field, ";");
  }
  return out;
}

std::string AuditRowHash(absl::string_view prev_hash, int64_t seq,
                         int64_t at_micros, absl::string_view kind,
                         absl::string_view content) {
  return Sha256Hex(absl::StrCat(
      prev_hash, CanonicalFields({absl::StrCat(seq), absl::StrCat(at_micros),
                                  std::string(kind), std::string(content)})));
}

std::string DecisionAuditContent(int64_t match_id, int outcome,
                                 absl::string_view reviewer,
                                 absl::string_view note, bool override) {
  return CanonicalFields({absl::StrCat(match_id), absl::StrCat(outcome),
                          std::string(reviewer), std::string(note),
                          override ? "1" : "0"});
}

absl::StatusOr<int64_t> VerifyAuditChain(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    return absl::FailedPreconditionError(
        absl::StrCat("review store \"", path, "\" does not exist"));
  }
  CM_ASSIGN_OR_RETURN(SqliteConnection db,
                      SqliteConnection::Open(path, /*read_write=*/false));
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db.Prepare("SELECT seq, at, kind, content, prev_hash, hash FROM audit "
                 "ORDER BY seq"));
  std::string prev(kAuditGenesisHash);
  int64_t expected_seq = 1;
  while (true) {
    CM_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    const int64_t seq = rows.Int(0);
    if (seq != expected_seq) {
      return absl::DataLossError(absl::StrCat("audit row ", expected_seq,
                                              " is missing (next row is ", seq,
                                              "): rows deleted"));
    }
    if (rows.Text(4) != prev) {
      return absl::DataLossError(absl::StrCat(
          "audit row ", seq,
          ": prev_hash does not match the hash of the row before it"));
    }
    const std::string hash =
        AuditRowHash(prev, seq, rows.Int(1), rows.Text(2), rows.Text(3));
    if (hash != rows.Text(5)) {
      return absl::DataLossError(absl::StrCat(
          "audit row ", seq, " (", rows.Text(2),
          "): its hash does not match its content (the row was edited)"));
    }
    prev = hash;
    ++expected_seq;
  }
  // Every decision must be the one its audit row recorded.
  CM_ASSIGN_OR_RETURN(
      SqliteStatement decisions,
      db.Prepare("SELECT d.id, d.match_id, d.outcome, d.reviewer, d.note, "
                 "d.override, d.decided_at, a.content, a.at FROM decisions d "
                 "LEFT JOIN audit a ON a.seq = d.audit_seq ORDER BY d.id"));
  while (true) {
    CM_ASSIGN_OR_RETURN(bool row, decisions.Step());
    if (!row) break;
    const std::string content = DecisionAuditContent(
        decisions.Int(1), static_cast<int>(decisions.Int(2)), decisions.Text(3),
        decisions.Text(4), decisions.Int(5) != 0);
    if (decisions.IsNull(7) || decisions.Text(7) != content ||
        decisions.Int(8) != decisions.Int(6)) {
      return absl::DataLossError(
          absl::StrCat("decision row ", decisions.Int(0),
                       " does not match its audit row (the row was edited)"));
    }
  }
  return expected_seq - 1;
}

}  // namespace clearmatch
