// Offline verification of a PostgreSQL review database's audit chain.
#include "review/postgres_audit_chain.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "postgres/postgres_transaction.h"
#include "review/audit_chain.h"

namespace clearmatch {
namespace {

constexpr int kPage = 5000;

// Checks the chain of audit rows page by page; returns how many there are.
absl::StatusOr<int64_t> VerifyAuditRows(PostgresConnection& db) {
  std::string prev(kAuditGenesisHash);
  int64_t expected_seq = 1;
  while (true) {
    CM_ASSIGN_OR_RETURN(
        PostgresResult rows,
        db.Query("SELECT seq, at, kind, content, prev_hash, hash FROM audit "
                 "WHERE seq >= $1::bigint ORDER BY seq LIMIT $2::integer",
                 {expected_seq, kPage}));
    for (int i = 0; i < rows.rows(); ++i) {
      const int64_t seq = rows.Int(i, 0);
      if (seq != expected_seq) {
        return absl::DataLossError(absl::StrCat("audit row ", expected_seq,
                                                " is missing (next row is ",
                                                seq, "): rows deleted"));
      }
      if (rows.Text(i, 4) != prev) {
        return absl::DataLossError(absl::StrCat(
            "audit row ", seq,
            ": prev_hash does not match the hash of the row before it"));
      }
      std::string hash = AuditRowHash(prev, seq, rows.Int(i, 1),
                                      rows.Text(i, 2), rows.Bytes(i, 3));
      if (hash != rows.Text(i, 5)) {
        return absl::DataLossError(absl::StrCat(
            "audit row ", seq, " (", rows.Text(i, 2),
            "): its hash does not match its content (the row was edited)"));
      }
      prev = std::move(hash);
      ++expected_seq;
    }
    if (rows.rows() < kPage) return expected_seq - 1;
  }
}

// Checks that every decision is the one its audit row recorded.
absl::Status VerifyDecisions(PostgresConnection& db) {
  int64_t after = 0;
  while (true) {
    CM_ASSIGN_OR_RETURN(
        PostgresResult rows,
        db.Query("SELECT d.id, d.match_id, d.outcome, d.reviewer, d.note, "
                 "d.override, d.decided_at, a.content, a.at FROM decisions d "
                 "LEFT JOIN audit a ON a.seq = d.audit_seq WHERE d.id > "
                 "$1::bigint ORDER BY d.id LIMIT $2::integer",
                 {after, kPage}));
    for (int i = 0; i < rows.rows(); ++i) {
      const std::string content = DecisionAuditContent(
          rows.Int(i, 1), static_cast<int>(rows.Int(i, 2)), rows.Text(i, 3),
          rows.Text(i, 4), rows.Int(i, 5) != 0);
      if (rows.IsNull(i, 7) || rows.Bytes(i, 7) != content ||
          rows.Int(i, 8) != rows.Int(i, 6)) {
        return absl::DataLossError(
            absl::StrCat("decision row ", rows.Int(i, 0),
                         " does not match its audit row (the row was edited)"));
      }
      after = rows.Int(i, 0);
    }
    if (rows.rows() < kPage) return absl::OkStatus();
  }
}

}  // namespace

absl::StatusOr<int64_t> VerifyPostgresAuditChain(
    const PostgresConnection::Options& options) {
  CM_ASSIGN_OR_RETURN(PostgresConnection db, PostgresConnection::Open(options));
  PostgresTransaction snapshot(db);
  CM_RETURN_IF_ERROR(
      snapshot.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  CM_ASSIGN_OR_RETURN(PostgresResult tables,
                      db.Query("SELECT to_regclass('audit') IS NOT NULL AND "
                               "to_regclass('decisions') IS NOT NULL"));
  if (tables.Text(0, 0) != "t") {
    return absl::FailedPreconditionError(
        absl::StrCat(options.label, ": ", RedactDatabaseUrl(options.url),
                     " has no review store (no audit table)"));
  }
  CM_ASSIGN_OR_RETURN(const int64_t rows, VerifyAuditRows(db));
  CM_RETURN_IF_ERROR(VerifyDecisions(db));
  CM_RETURN_IF_ERROR(snapshot.Commit());
  return rows;
}

}  // namespace clearmatch
