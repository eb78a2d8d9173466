// Queries on the feedback outbox, written with SQLite's ?N parameters and
// translated for PostgreSQL (InDialect, review/review_report_sql.h).
#include "review/feedback_outbox.h"

#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "review/feedback_state_text.h"
#include "review/review_report_sql.h"

namespace clearmatch::review_internal {
namespace {

constexpr char kColumns[] =
    "id, bank, entry_id, source_feed, hash_type, match_id, verdict, note, "
    "created_at, attempts, next_attempt_at, last_error, state, updated_at";

// A row selected with kColumns.
v1::FeedbackRow RowOf(const ReviewReader::Row& row) {
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

// The rows of `sql`, selected with kColumns.
absl::StatusOr<std::vector<v1::FeedbackRow>> Rows(
    ReviewDatabase& db, const std::string& sql,
    const std::vector<SqlParam>& params) {
  std::vector<v1::FeedbackRow> rows;
  CM_RETURN_IF_ERROR(
      db.ForEachRow(sql, params, [&](const ReviewReader::Row& row) {
        rows.push_back(RowOf(row));
        return absl::OkStatus();
      }));
  return rows;
}

// The UPDATE of a pending row by id (?2) at time ?1 that sets `assignments`
// (on parameters from ?3, of PostgreSQL types `types` after ?1, ?2).
std::string UpdatePendingSql(SqlDialect dialect, absl::string_view assignments,
                             std::vector<absl::string_view> types) {
  types.insert(types.begin(), {"bigint", "bigint"});
  return InDialect(dialect,
                   absl::StrCat("UPDATE feedback_outbox SET ", assignments,
                                "updated_at = ?1 WHERE id = ?2 AND "
                                "state = 'pending'"),
                   types);
}

}  // namespace

absl::Status InsertFeedback(ReviewDatabase& db, const v1::MatchRecord& record,
                            const v1::DecideRequest& request,
                            int64_t now_micros) {
  if (request.outcome() != v1::CONFIRMED &&
      request.outcome() != v1::FALSE_POSITIVE) {
    return absl::OkStatus();
  }
  // Only the latest verdict goes out; one already sent stays sent.
  CM_RETURN_IF_ERROR(
      db.Execute(InDialect(db.dialect(),
                           "UPDATE feedback_outbox SET state = 'superseded', "
                           "updated_at = ?1 WHERE match_id = ?2 AND "
                           "state = 'pending'",
                           {"bigint", "bigint"}),
                 {now_micros, record.match_id()})
          .status());
  const std::string insert = InDialect(
      db.dialect(),
      "INSERT INTO feedback_outbox (bank, entry_id, source_feed, hash_type, "
      "match_id, verdict, note, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
      {"text", "text", "text", "text", "bigint", "integer", "text", "bigint"});
  std::set<std::tuple<std::string, std::string, std::string>> added;
  for (const v1::Match& match : record.matches()) {
    if (!added.emplace(match.bank(), match.entry_id(), match.hash_type())
             .second) {
      continue;  // the same entry matched again (another transform, frame)
    }
    CM_RETURN_IF_ERROR(
        db.Execute(insert, {match.bank(), match.entry_id(), match.source_feed(),
                            match.hash_type(), record.match_id(),
                            static_cast<int64_t>(request.outcome()),
                            request.note(), now_micros})
            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::FeedbackRow>> SelectDueFeedback(
    ReviewDatabase& db, int64_t now_micros, int limit,
    const std::vector<std::string>& skip_banks) {
  std::string sql = absl::StrCat("SELECT ", kColumns,
                                 " FROM feedback_outbox WHERE state = "
                                 "'pending' AND next_attempt_at <= ?1");
  std::vector<SqlParam> params = {now_micros};
  std::vector<absl::string_view> types = {"bigint"};
  for (const std::string& bank : skip_banks) {
    params.emplace_back(bank);
    types.push_back("text");
    absl::StrAppend(&sql, params.size() == 2 ? " AND bank NOT IN (" : ", ", "?",
                    params.size());
  }
  if (!skip_banks.empty()) sql += ")";
  params.emplace_back(int64_t{limit});
  types.push_back("integer");
  absl::StrAppend(&sql, " ORDER BY id LIMIT ?", params.size());
  return Rows(db, InDialect(db.dialect(), sql, types), params);
}

absl::Status FinishFeedbackAttempt(ReviewDatabase& db, int64_t id,
                                   v1::FeedbackState state,
                                   absl::string_view error,
                                   int64_t now_micros) {
  return db
      .Execute(InDialect(db.dialect(),
                         "UPDATE feedback_outbox SET state = ?1, "
                         "last_error = ?2, attempts = attempts + 1, "
                         "updated_at = ?3 WHERE id = ?4 AND "
                         "(state = 'pending' OR (?1 = 'sent' AND "
                         "state = 'superseded'))",
                         {"text", "text", "bigint", "bigint"}),
               {StateText(state), std::string(error), now_micros, id})
      .status();
}

absl::Status PostponeFeedback(ReviewDatabase& db, int64_t id,
                              int64_t next_attempt_micros,
                              absl::string_view error, int64_t now_micros) {
  return db
      .Execute(UpdatePendingSql(db.dialect(),
                                "next_attempt_at = ?3, last_error = ?4, "
                                "attempts = attempts + 1, ",
                                {"bigint", "text"}),
               {now_micros, id, next_attempt_micros, std::string(error)})
      .status();
}

absl::Status MarkFeedbackNotApplicable(ReviewDatabase& db, int64_t id,
                                       int64_t now_micros) {
  return db
      .Execute(UpdatePendingSql(db.dialect(), "state = 'not_applicable', ", {}),
               {now_micros, id})
      .status();
}

absl::StatusOr<std::vector<v1::FeedbackRow>> SelectFeedbackPage(
    ReviewDatabase& db, const v1::ListFeedbackRequest& request, int64_t after,
    int limit) {
  return Rows(
      db,
      InDialect(db.dialect(),
                absl::StrCat("SELECT ", kColumns,
                             " FROM feedback_outbox WHERE id > ?1"
                             " AND (?2 = '' OR state = ?2)"
                             " AND (?3 = '' OR bank = ?3)"
                             " ORDER BY id LIMIT ?4"),
                {"bigint", "text", "text", "integer"}),
      {after, StateText(request.state()), request.bank(), int64_t{limit}});
}

absl::StatusOr<std::vector<v1::FeedbackCount>> CountFeedback(
    ReviewDatabase& db, v1::FeedbackState state) {
  // SQLite's default collation is byte-wise already.
  const absl::string_view bytewise =
      db.dialect() == SqlDialect::kSqlite ? "" : " COLLATE \"C\"";
  const std::string sql =
      InDialect(db.dialect(),
                absl::StrCat("SELECT bank, state, COUNT(*) FROM feedback_outbox"
                             " WHERE ?1 = '' OR state = ?1"
                             " GROUP BY bank, state ORDER BY bank",
                             bytewise, ", state", bytewise),
                {"text"});
  std::vector<v1::FeedbackCount> counts;
  CM_RETURN_IF_ERROR(
      db.ForEachRow(sql, {StateText(state)}, [&](const ReviewReader::Row& row) {
        v1::FeedbackCount& count = counts.emplace_back();
        count.set_bank(row.Text(0));
        count.set_state(StateOf(row.Text(1)));
        count.set_count(row.Int(2));
        return absl::OkStatus();
      }));
  return counts;
}

}  // namespace clearmatch::review_internal
