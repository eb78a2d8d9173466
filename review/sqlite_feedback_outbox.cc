// Queries on the feedback outbox.
#include "review/sqlite_feedback_outbox.h"

#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "review/feedback_state_text.h"
#include "sqlite/sqlite_statement.h"

namespace clearmatch::review_internal {
namespace {

constexpr char kColumns[] =
    "id, bank, entry_id, source_feed, hash_type, match_id, verdict, note, "
    "created_at, attempts, next_attempt_at, last_error, state, updated_at";

// A row selected with kColumns.
v1::FeedbackRow RowOf(const SqliteStatement& row) {
  v1::FeedbackRow out;
  out.set_id(row.Int(0));
  out.set_bank(row.Text(1));
  out.set_entry_id(row.Text(2));
  out.set_source_feed(row.Text(3));
  out.set_hash_type(row.Text(4));
  out.set_match_id(row.Int(5));
  out.set_verdict(static_cast<v1::ReviewOutcome>(row.Int(6)));
  out.set_note(row.Text(7));
  out.set_created_unix_micros(row.Int(8));
  out.set_attempts(static_cast<int32_t>(row.Int(9)));
  out.set_next_attempt_unix_micros(row.Int(10));
  out.set_last_error(row.Text(11));
  out.set_state(StateOf(row.Text(12)));
  out.set_updated_unix_micros(row.Int(13));
  return out;
}

absl::StatusOr<std::vector<v1::FeedbackRow>> Rows(SqliteStatement& select) {
  std::vector<v1::FeedbackRow> rows;
  CM_RETURN_IF_ERROR(select.ForEachRow([&](const SqliteStatement& row) {
    rows.push_back(RowOf(row));
    return absl::OkStatus();
  }));
  return rows;
}

}  // namespace

absl::Status InsertFeedback(SqliteConnection& db, const v1::MatchRecord& record,
                            const v1::DecideRequest& request,
                            int64_t now_micros) {
  if (request.outcome() != v1::CONFIRMED &&
      request.outcome() != v1::FALSE_POSITIVE) {
    return absl::OkStatus();
  }
  // Only the latest verdict goes out; one already sent stays sent.
  CM_ASSIGN_OR_RETURN(
      SqliteStatement supersede,
      db.Prepare("UPDATE feedback_outbox SET state = 'superseded', "
                 "updated_at = ? WHERE match_id = ? AND state = 'pending'"));
  supersede.BindInt(1, now_micros);
  supersede.BindInt(2, record.match_id());
  CM_RETURN_IF_ERROR(supersede.Run());
  CM_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db.Prepare("INSERT INTO feedback_outbox (bank, entry_id, source_feed, "
                 "hash_type, match_id, verdict, note, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  std::set<std::tuple<std::string, std::string, std::string>> added;
  for (const v1::Match& match : record.matches()) {
    if (!added.emplace(match.bank(), match.entry_id(), match.hash_type())
             .second) {
      continue;  // the same entry matched again (another transform, frame)
    }
    insert.BindText(1, match.bank());
    insert.BindText(2, match.entry_id());
    insert.BindText(3, match.source_feed());
    insert.BindText(4, match.hash_type());
    insert.BindInt(5, record.match_id());
    insert.BindInt(6, request.outcome());
    insert.BindText(7, request.note());
    insert.BindInt(8, now_micros);
    insert.BindInt(9, now_micros);
    CM_RETURN_IF_ERROR(insert.Run());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::FeedbackRow>> SelectDueFeedback(
    SqliteConnection& db, int64_t now_micros, int limit,
    const std::vector<std::string>& skip_banks) {
  std::string sql = absl::StrCat(
      "SELECT ", kColumns,
      " FROM feedback_outbox WHERE state = 'pending' AND next_attempt_at <= ?");
  if (!skip_banks.empty()) {
    absl::StrAppend(&sql, " AND bank NOT IN (?");
    for (size_t i = 1; i < skip_banks.size(); ++i) sql += ", ?";
    sql += ")";
  }
  sql += " ORDER BY id LIMIT ?";
  CM_ASSIGN_OR_RETURN(SqliteStatement select, db.Prepare(sql));
  int index = 1;
  select.BindInt(index++, now_micros);
  for (const std::string& bank : skip_banks) select.BindText(index++, bank);
  select.BindInt(index, limit);
  return Rows(select);
}

absl::Status FinishFeedbackAttempt(SqliteConnection& db, int64_t id,
                                   v1::FeedbackState state,
                                   absl::string_view error,
                                   int64_t now_micros) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement update,
      db.Prepare("UPDATE feedback_outbox SET state = ?1, last_error = ?2, "
                 "attempts = attempts + 1, updated_at = ?3 WHERE id = ?4 AND "
                 "(state = 'pending' OR (?1 = 'sent' AND "
                 "state = 'superseded'))"));
  update.BindText(1, StateText(state));
  update.BindText(2, error);
  update.BindInt(3, now_micros);
  update.BindInt(4, id);
  return update.Run();
}

absl::Status PostponeFeedback(SqliteConnection& db, int64_t id,
                              int64_t next_attempt_micros,
                              absl::string_view error, int64_t now_micros) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement update,
      db.Prepare("UPDATE feedback_outbox SET next_attempt_at = ?, "
                 "last_error = ?, attempts = attempts + 1, updated_at = ? "
                 "WHERE id = ? AND state = 'pending'"));
  update.BindInt(1, next_attempt_micros);
  update.BindText(2, error);
  update.BindInt(3, now_micros);
  update.BindInt(4, id);
  return update.Run();
}

absl::Status MarkFeedbackNotApplicable(SqliteConnection& db, int64_t id,
                                       int64_t now_micros) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement update,
      db.Prepare("UPDATE feedback_outbox SET state = 'not_applicable', "
                 "updated_at = ? WHERE id = ? AND state = 'pending'"));
  update.BindInt(1, now_micros);
  update.BindInt(2, id);
  return update.Run();
}

absl::StatusOr<std::vector<v1::FeedbackRow>> SelectFeedbackPage(
    SqliteConnection& db, const v1::ListFeedbackRequest& request, int64_t after,
    int limit) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement select,
      db.Prepare(absl::StrCat("SELECT ", kColumns,
                              " FROM feedback_outbox WHERE id > ?1"
                              " AND (?2 = '' OR state = ?2)"
                              " AND (?3 = '' OR bank = ?3)"
                              " ORDER BY id LIMIT ?4")));
  select.BindInt(1, after);
  select.BindText(2, StateText(request.state()));
  select.BindText(3, request.bank());
  select.BindInt(4, limit);
  return Rows(select);
}

absl::StatusOr<std::vector<v1::FeedbackCount>> CountFeedback(
    SqliteConnection& db, v1::FeedbackState state) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement select,
      db.Prepare("SELECT bank, state, COUNT(*) FROM feedback_outbox"
                 " WHERE ?1 = '' OR state = ?1"
                 " GROUP BY bank, state ORDER BY bank, state"));
  select.BindText(1, StateText(state));
  std::vector<v1::FeedbackCount> counts;
  CM_RETURN_IF_ERROR(select.ForEachRow([&](const SqliteStatement& row) {
    v1::FeedbackCount& count = counts.emplace_back();
    count.set_bank(row.Text(0));
    count.set_state(StateOf(row.Text(1)));
    count.set_count(row.Int(2));
    return absl::OkStatus();
  }));
  return counts;
}

}  // namespace clearmatch::review_internal
