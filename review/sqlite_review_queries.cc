// Queries on matches and decisions.
#include "review/sqlite_review_queries.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "review/audit_chain.h"
#include "sqlite/sqlite_statement.h"

namespace clearmatch::review_internal {

absl::Status InsertRecords(SqliteConnection& db,
                           std::vector<v1::MatchRecord>& records) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db.Prepare("INSERT INTO matches (recorded_at, verdict, context, record) "
                 "VALUES (?, ?, ?, ?)"));
  CM_ASSIGN_OR_RETURN(
      SqliteStatement bank,
      db.Prepare("INSERT OR IGNORE INTO match_banks VALUES (?, ?)"));
  CM_ASSIGN_OR_RETURN(
      SqliteStatement category,
      db.Prepare("INSERT OR IGNORE INTO match_categories VALUES (?, ?)"));
  for (v1::MatchRecord& record : records) {
    record.clear_match_id();
    record.clear_decisions();
    insert.BindInt(1, record.recorded_unix_micros());
    insert.BindInt(2, record.decision());
    insert.BindInt(3, record.context());
    insert.BindBlob(4, record.SerializeAsString());
    CM_RETURN_IF_ERROR(insert.Run());
    const int64_t id = db.LastInsertRowid();
    for (const v1::Match& match : record.matches()) {
      bank.BindText(1, match.bank());
      bank.BindInt(2, id);
      CM_RETURN_IF_ERROR(bank.Run());
      category.BindText(1, match.category());
      category.BindInt(2, id);
      CM_RETURN_IF_ERROR(category.Run());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::MatchRecord> SelectMatch(SqliteConnection& db,
                                            int64_t match_id) {
  CM_ASSIGN_OR_RETURN(SqliteStatement row,
                      db.Prepare("SELECT record FROM matches WHERE id = ?"));
  row.BindInt(1, match_id);
  CM_ASSIGN_OR_RETURN(const bool found, row.Step());
  if (!found) {
    return absl::NotFoundError(absl::StrCat("match ", match_id, " not found"));
  }
  v1::MatchRecord record;
  if (!record.ParseFromString(row.Text(0))) {
    return absl::DataLossError(
        absl::StrCat("match ", match_id, ": stored record does not parse"));
  }
  record.set_match_id(match_id);
  CM_ASSIGN_OR_RETURN(
      SqliteStatement decisions,
      db.Prepare("SELECT outcome, reviewer, note, override, decided_at "
                 "FROM decisions WHERE match_id = ? ORDER BY id"));
  decisions.BindInt(1, match_id);
  CM_RETURN_IF_ERROR(decisions.ForEachRow([&](const SqliteStatement& d) {
    v1::ReviewDecision* decision = record.add_decisions();
    decision->set_outcome(static_cast<v1::ReviewOutcome>(d.Int(0)));
    decision->set_reviewer(d.Text(1));
    decision->set_note(d.Text(2));
    decision->set_override(d.Int(3) != 0);
    decision->set_decided_unix_micros(d.Int(4));
    return absl::OkStatus();
  }));
  return record;
}

absl::Status InsertDecision(SqliteConnection& db,
                            const v1::DecideRequest& request,
                            int64_t now_micros) {
  CM_ASSIGN_OR_RETURN(
      const int64_t audit_seq,
      AppendAuditRow(db, "decide",
                     DecisionAuditContent(request.match_id(), request.outcome(),
                                          request.reviewer(), request.note(),
                                          request.override()),
                     now_micros, request.match_id()));
  CM_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db.Prepare("INSERT INTO decisions (match_id, outcome, reviewer, note, "
                 "override, decided_at, audit_seq) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)"));
  insert.BindInt(1, request.match_id());
  insert.BindInt(2, request.outcome());
  insert.BindText(3, request.reviewer());
  insert.BindText(4, request.note());
  insert.BindInt(5, request.override() ? 1 : 0);
  insert.BindInt(6, now_micros);
  insert.BindInt(7, audit_seq);
  CM_RETURN_IF_ERROR(insert.Run());
  CM_ASSIGN_OR_RETURN(
      SqliteStatement update,
      db.Prepare("UPDATE matches SET outcome = ? WHERE id = ?"));
  update.BindInt(1, request.outcome());
  update.BindInt(2, request.match_id());
  return update.Run();
}

}  // namespace clearmatch::review_internal
