// Queries on matches, decisions and the audit trail (PostgreSQL).
#include "review/postgres_review_queries.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "review/audit_chain.h"

namespace clearmatch::review_internal {

absl::Status InsertRecords(PostgresConnection& db,
                           std::vector<v1::MatchRecord>& records) {
  for (v1::MatchRecord& record : records) {
    record.clear_match_id();
    record.clear_decisions();
    CM_ASSIGN_OR_RETURN(
        PostgresResult inserted,
        db.Query(
            "INSERT INTO matches (recorded_at, verdict, context, record) "
            "VALUES ($1::bigint, $2::integer, $3::integer, $4::bytea) "
            "RETURNING id",
            {record.recorded_unix_micros(), static_cast<int>(record.decision()),
             static_cast<int>(record.context()),
             PostgresParam::Bytes(record.SerializeAsString())}));
    const int64_t id = inserted.Int(0, 0);
    for (const v1::Match& match : record.matches()) {
      CM_RETURN_IF_ERROR(
          db.Query("INSERT INTO match_banks VALUES ($1, $2::bigint) "
                   "ON CONFLICT DO NOTHING",
                   {match.bank(), id})
              .status());
    }
    CM_RETURN_IF_ERROR(InsertCategories(db, id, record));
  }
  return absl::OkStatus();
}

absl::Status InsertCategories(PostgresConnection& db, int64_t match_id,
                              const v1::MatchRecord& record) {
  for (const v1::Match& match : record.matches()) {
    CM_RETURN_IF_ERROR(
        db.Query("INSERT INTO match_categories VALUES ($1, $2::bigint) "
                 "ON CONFLICT DO NOTHING",
                 {match.category(), match_id})
            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::MatchRecord> SelectMatch(PostgresConnection& db,
                                            int64_t match_id, bool lock) {
  CM_ASSIGN_OR_RETURN(
      PostgresResult row,
      db.Query(absl::StrCat("SELECT record FROM matches WHERE id = $1::bigint",
                            lock ? " FOR UPDATE" : ""),
               {match_id}));
  if (row.rows() == 0) {
    return absl::NotFoundError(absl::StrCat("match ", match_id, " not found"));
  }
  v1::MatchRecord record;
  if (!record.ParseFromString(row.Bytes(0, 0))) {
    return absl::DataLossError(
        absl::StrCat("match ", match_id, ": stored record does not parse"));
  }
  record.set_match_id(match_id);
  CM_ASSIGN_OR_RETURN(
      PostgresResult decisions,
      db.Query("SELECT outcome, reviewer, note, override, decided_at "
               "FROM decisions WHERE match_id = $1::bigint ORDER BY id",
               {match_id}));
  for (int i = 0; i < decisions.rows(); ++i) {
    v1::ReviewDecision* decision = record.add_decisions();
    decision->set_outcome(static_cast<v1::ReviewOutcome>(decisions.Int(i, 0)));
    decision->set_reviewer(decisions.Text(i, 1));
    decision->set_note(decisions.Text(i, 2));
    decision->set_override(decisions.Int(i, 3) != 0);
    decision->set_decided_unix_micros(decisions.Int(i, 4));
  }
  return record;
}

absl::Status InsertDecision(PostgresConnection& db,
                            const v1::DecideRequest& request,
                            int64_t now_micros) {
  CM_ASSIGN_OR_RETURN(
      const int64_t audit_seq,
      AppendAuditRow(db, "decide",
                     DecisionAuditContent(request.match_id(), request.outcome(),
                                          request.reviewer(), request.note(),
                                          request.override()),
                     now_micros, request.match_id()));
  CM_RETURN_IF_ERROR(
      db.Query("INSERT INTO decisions (match_id, outcome, reviewer, note, "
               "override, decided_at, audit_seq) VALUES ($1::bigint, "
               "$2::integer, $3, $4, $5::integer, $6::bigint, $7::bigint)",
               {request.match_id(), static_cast<int>(request.outcome()),
                request.reviewer(), request.note(), request.override() ? 1 : 0,
                now_micros, audit_seq})
          .status());
  return db
      .Query("UPDATE matches SET outcome = $1::integer WHERE id = $2::bigint",
             {static_cast<int>(request.outcome()), request.match_id()})
      .status();
}

absl::StatusOr<int64_t> AppendAuditRow(PostgresConnection& db,
                                       absl::string_view kind,
                                       absl::string_view content,
                                       int64_t at_micros, int64_t match_id) {
  // Writers wait here for each other; readers (verify) do not wait.
  CM_RETURN_IF_ERROR(db.Exec("LOCK TABLE audit IN EXCLUSIVE MODE"));
  CM_ASSIGN_OR_RETURN(
      PostgresResult last,
      db.Query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
  const bool has_last = last.rows() > 0;
  const int64_t next = has_last ? last.Int(0, 0) + 1 : 1;
  const std::string prev =
      has_last ? last.Text(0, 1) : std::string(kAuditGenesisHash);
  CM_RETURN_IF_ERROR(
      db.Query("INSERT INTO audit VALUES ($1::bigint, $2::bigint, $3, "
               "$4::bytea, $5, $6)",
               {next, at_micros, kind, PostgresParam::Bytes(content), prev,
                AuditRowHash(prev, next, at_micros, kind, content)})
          .status());
  if (match_id != 0) {
    CM_RETURN_IF_ERROR(
        db.Query("INSERT INTO audit_matches (match_id, seq) VALUES "
                 "($1::bigint, $2::bigint)",
                 {match_id, next})
            .status());
  }
  return next;
}

}  // namespace clearmatch::review_internal
