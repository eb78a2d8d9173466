// Queries on the feedback outbox (PostgreSQL).
#include "review/postgres_feedback_outbox.h"

#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "review/feedback_state_text.h"

namespace clearmatch::review_internal {
namespace {

constexpr char kColumns[] =
    "id, bank, entry_id, source_feed, hash_type, match_id, verdict, note, "
    "created_at, attempts, next_attempt_at, last_error, state, updated_at";

// The rows of a result selected with kColumns.
std::vector<v1::FeedbackRow> RowsOf(const PostgresResult& rows) {
  std::vector<v1::FeedbackRow> out(rows.rows());
  for (int i = 0; i < rows.rows(); ++i) {
    v1::FeedbackRow& row = out[i];
    row.set_id(rows.Int(i, 0));
    row.set_bank(rows.Text(i, 1));
    row.set_entry_id(rows.Text(i, 2));
    row.set_source_feed(rows.Text(i, 3));
    row.set_hash_type(rows.Text(i, 4));
    row.set_match_id(rows.Int(i, 5));
    row.set_verdict(static_cast<v1::ReviewOutcome>(rows.Int(i, 6)));
    row.set_note(rows.Text(i, 7));
    row.set_created_unix_micros(rows.Int(i, 8));
    row.set_attempts(static_cast<int32_t>(rows.Int(i, 9)));
    row.set_next_attempt_unix_micros(rows.Int(i, 10));
    row.set_last_error(rows.Text(i, 11));
    row.set_state(StateOf(rows.Text(i, 12)));
    row.set_updated_unix_micros(rows.Int(i, 13));
  }
  return out;
}

}  // namespace

absl::Status InsertFeedback(PostgresConnection& db,
                            const v1::MatchRecord& record,
                            const v1::DecideRequest& request,
                            int64_t now_micros) {
  if (request.outcome() != v1::CONFIRMED &&
      request.outcome() != v1::FALSE_POSITIVE) {
    return absl::OkStatus();
  }
  // Only the latest verdict goes out; one already sent stays sent.
  CM_RETURN_IF_ERROR(
      db.Query("UPDATE feedback_outbox SET state = 'superseded', updated_at "
               "= $1::bigint WHERE match_id = $2::bigint AND state = "
               "'pending'",
               {now_micros, record.match_id()})
          .status());
  std::set<std::tuple<std::string, std::string, std::string>> added;
  for (const v1::Match& match : record.matches()) {
    if (!added.emplace(match.bank(), match.entry_id(), match.hash_type())
             .second) {
      continue;  // the same entry matched again (another transform, frame)
    }
    CM_RETURN_IF_ERROR(
        db.Query(
              "INSERT INTO feedback_outbox (bank, entry_id, source_feed, "
              "hash_type, match_id, verdict, note, created_at, "
              "updated_at) VALUES ($1, $2, $3, $4, $5::bigint, "
              "$6::integer, $7, $8::bigint, $8::bigint)",
              {match.bank(), match.entry_id(), match.source_feed(),
               match.hash_type(), record.match_id(),
               static_cast<int>(request.outcome()), request.note(), now_micros})
            .status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::FeedbackRow>> SelectDueFeedback(
    PostgresConnection& db, int64_t now_micros, int limit,
    const std::vector<std::string>& skip_banks) {
  std::string sql = absl::StrCat(
      "SELECT ", kColumns,
      " FROM feedback_outbox WHERE state = 'pending' AND next_attempt_at <= "
      "$1::bigint");
  std::vector<PostgresParam> params = {now_micros};
  for (const std::string& bank : skip_banks) {
    params.emplace_back(bank);
    absl::StrAppend(&sql, params.size() == 2 ? " AND bank NOT IN (" : ", ", "$",
                    params.size());
  }
  if (!skip_banks.empty()) sql += ")";
  params.emplace_back(limit);
  absl::StrAppend(&sql, " ORDER BY id LIMIT $", params.size(), "::integer");
  CM_ASSIGN_OR_RETURN(PostgresResult rows, db.Query(sql, params));
  return RowsOf(rows);
}

absl::Status FinishFeedbackAttempt(PostgresConnection& db, int64_t id,
                                   v1::FeedbackState state,
                                   absl::string_view error,
                                   int64_t now_micros) {
  return db
      .Query(
          "UPDATE feedback_outbox SET state = $1::text, last_error = $2, "
          "attempts = attempts + 1, updated_at = $3::bigint WHERE id = "
          "$4::bigint AND (state = 'pending' OR ($1::text = 'sent' AND "
          "state = 'superseded'))",
          {StateText(state), error, now_micros, id})
      .status();
}

absl::Status PostponeFeedback(PostgresConnection& db, int64_t id,
                              int64_t next_attempt_micros,
                              absl::string_view error, int64_t now_micros) {
  return db
      .Query(
          "UPDATE feedback_outbox SET next_attempt_at = $1::bigint, "
          "last_error = $2, attempts = attempts + 1, updated_at = "
          "$3::bigint WHERE id = $4::bigint AND state = 'pending'",
          {next_attempt_micros, error, now_micros, id})
      .status();
}

absl::Status MarkFeedbackNotApplicable(PostgresConnection& db, int64_t id,
                                       int64_t now_micros) {
  return db
      .Query(
          "UPDATE feedback_outbox SET state = 'not_applicable', "
          "updated_at = $1::bigint WHERE id = $2::bigint AND state = "
          "'pending'",
          {now_micros, id})
      .status();
}

absl::StatusOr<std::vector<v1::FeedbackRow>> SelectFeedbackPage(
    PostgresConnection& db, const v1::ListFeedbackRequest& request,
    int64_t after, int limit) {
  CM_ASSIGN_OR_RETURN(
      PostgresResult rows,
      db.Query(absl::StrCat("SELECT ", kColumns,
                            " FROM feedback_outbox WHERE id > $1::bigint"
                            " AND ($2::text = '' OR state = $2::text)"
                            " AND ($3::text = '' OR bank = $3::text)"
                            " ORDER BY id LIMIT $4::integer"),
               {after, StateText(request.state()), request.bank(), limit}));
  return RowsOf(rows);
}

absl::StatusOr<std::vector<v1::FeedbackCount>> CountFeedback(
    PostgresConnection& db, v1::FeedbackState state) {
  CM_ASSIGN_OR_RETURN(
      PostgresResult rows,
      db.Query("SELECT bank, state, COUNT(*) FROM feedback_outbox"
               " WHERE $1::text = '' OR state = $1::text"
               " GROUP BY bank, state"
               " ORDER BY bank COLLATE \"C\", state COLLATE \"C\"",
               {StateText(state)}));
  std::vector<v1::FeedbackCount> counts;
  for (int i = 0; i < rows.rows(); ++i) {
    v1::FeedbackCount& count = counts.emplace_back();
    count.set_bank(rows.Text(i, 0));
    count.set_state(StateOf(rows.Text(i, 1)));
    count.set_count(rows.Int(i, 2));
  }
  return counts;
}

}  // namespace clearmatch::review_internal
