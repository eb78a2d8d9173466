// Queries on the allowlist table, written with SQLite's ?N parameters and
// translated for PostgreSQL (InDialect, review/review_report_sql.h).
#include "review/allowlist_table.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "review/allowlist_set.h"
#include "review/audit_chain.h"
#include "review/review_report_sql.h"
#include "review/review_request_checks.h"
#include "review/review_store.h"

namespace clearmatch::review_internal {
namespace {

// The audit content of an allowlist change.
std::string ChangeContent(absl::string_view content_key, absl::string_view bank,
                          absl::string_view entry_id,
                          absl::string_view reviewer, absl::string_view why) {
  return CanonicalFields({std::string(content_key), std::string(bank),
                          std::string(entry_id), std::string(reviewer),
                          std::string(why)});
}

// The column that numbers the rows in the order they were added.
absl::string_view RowIdColumn(SqlDialect dialect) {
  return dialect == SqlDialect::kSqlite ? "rowid" : "row_id";
}

// The INSERT of a pair that leaves an existing one as it is.
std::string InsertPairSql(SqlDialect dialect) {
  if (dialect == SqlDialect::kSqlite) {
    return "INSERT OR IGNORE INTO allowlist VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  }
  return "INSERT INTO allowlist (content_key, bank, entry_id, match_id, "
         "added_by, added_at) VALUES ($1::text, $2::text, $3::text, "
         "$4::bigint, $5::text, $6::bigint) ON CONFLICT DO NOTHING";
}

// AddFalsePositivePairs and RemoveOverriddenPairs: ApplyDecisionToAllowlist's
// two sides; true if the table changed.
absl::StatusOr<bool> AddFalsePositivePairs(ReviewDatabase& db,
                                           const v1::MatchRecord& record,
                                           absl::string_view reviewer,
                                           int64_t now_micros) {
  const std::string why = absl::StrCat("match ", record.match_id());
  if (record.hashes_from_caller()) {
    CM_RETURN_IF_ERROR(
        db.AppendAuditRow("allowlist_skipped",
                          ChangeContent("", "", "", reviewer,
                                        absl::StrCat(why,
                                                     ": hashes from the "
                                                     "caller, nothing "
                                                     "allowlisted")),
                          now_micros, record.match_id())
            .status());
    return false;
  }
  const std::string insert = InsertPairSql(db.dialect());
  bool added = false;
  for (const v1::Match& match : record.matches()) {
    const std::string key = ReviewStore::AllowlistKey(
        record.query_hashes(), /*hashes_from_caller=*/false, match);
    if (key.empty()) continue;
    CM_ASSIGN_OR_RETURN(
        const int64_t inserted,
        db.Execute(insert,
                   {key, match.bank(), match.entry_id(), record.match_id(),
                    std::string(reviewer), now_micros}));
    if (inserted == 0) continue;
    CM_RETURN_IF_ERROR(
        db.AppendAuditRow(
              "allowlist_add",
              ChangeContent(key, match.bank(), match.entry_id(), reviewer, why),
              now_micros, record.match_id())
            .status());
    added = true;
  }
  return added;
}

absl::StatusOr<bool> RemoveOverriddenPairs(ReviewDatabase& db, int64_t match_id,
                                           absl::string_view reviewer,
                                           int64_t now_micros) {
  const std::string why = absl::StrCat("override of match ", match_id);
  std::vector<std::pair<int64_t, std::string>> removed;
  CM_RETURN_IF_ERROR(db.ForEachRow(
      InDialect(db.dialect(),
                absl::StrCat("DELETE FROM allowlist WHERE match_id = ?1 "
                             "RETURNING content_key, bank, entry_id, ",
                             RowIdColumn(db.dialect())),
                {"bigint"}),
      {match_id}, [&](const ReviewReader::Row& row) {
        removed.emplace_back(
            row.Int(3), ChangeContent(row.Text(0), row.Text(1), row.Text(2),
                                      reviewer, why));
        return absl::OkStatus();
      }));
  // In the order they were added (RETURNING promises no order); the audit
  // rows after the DELETE has run to completion.
  std::sort(removed.begin(), removed.end());
  for (const auto& [row_id, content] : removed) {
    CM_RETURN_IF_ERROR(
        db.AppendAuditRow("allowlist_remove", content, now_micros, match_id)
            .status());
  }
  return !removed.empty();
}

}  // namespace

absl::StatusOr<absl::flat_hash_set<std::string>> SelectAllowlistKeys(
    ReviewDatabase& db) {
  absl::flat_hash_set<std::string> keys;
  CM_RETURN_IF_ERROR(db.ForEachRow(
      "SELECT content_key, bank, entry_id FROM allowlist", {},
      [&](const ReviewReader::Row& row) {
        keys.insert(AllowlistSet::Key(row.Text(0), row.Text(1), row.Text(2)));
        return absl::OkStatus();
      }));
  return keys;
}

absl::StatusOr<bool> ApplyDecisionToAllowlist(ReviewDatabase& db,
                                              const v1::DecideRequest& request,
                                              const v1::MatchRecord& record,
                                              v1::ReviewOutcome previous,
                                              int64_t now_micros) {
  const v1::ReviewOutcome outcome = request.outcome();
  if (previous == v1::FALSE_POSITIVE && outcome != v1::FALSE_POSITIVE) {
    // The override says it is a real match after all: stop suppressing it.
    return RemoveOverriddenPairs(db, record.match_id(), request.reviewer(),
                                 now_micros);
  }
  if (outcome == v1::FALSE_POSITIVE && previous != v1::FALSE_POSITIVE) {
    return AddFalsePositivePairs(db, record, request.reviewer(), now_micros);
  }
  return false;
}

absl::Status RemovePair(ReviewDatabase& db,
                        const v1::RemoveAllowlistEntryRequest& request,
                        int64_t now_micros) {
  int64_t match_id = -1;  // the removed pair's FALSE_POSITIVE match
  CM_RETURN_IF_ERROR(db.ForEachRow(
      InDialect(db.dialect(),
                "DELETE FROM allowlist WHERE content_key = ?1 AND bank = ?2 "
                "AND entry_id = ?3 RETURNING match_id",
                {"text", "text", "text"}),
      {request.content_key(), request.bank(), request.entry_id()},
      [&](const ReviewReader::Row& row) {
        match_id = row.Int(0);
        return absl::OkStatus();
      }));
  if (match_id < 0) {
    return absl::NotFoundError(
        absl::StrCat("allowlist has no entry (", request.content_key(), ", ",
                     request.bank(), "/", request.entry_id(), ")"));
  }
  return db
      .AppendAuditRow(
          "allowlist_remove",
          ChangeContent(request.content_key(), request.bank(),
                        request.entry_id(), request.reviewer(), request.note()),
          now_micros, match_id)
      .status();
}

absl::StatusOr<v1::ListAllowlistResponse> SelectAllowlistPage(
    ReviewDatabase& db, int page_size, int64_t after_row) {
  const absl::string_view row_id = RowIdColumn(db.dialect());
  const std::string sql = InDialect(
      db.dialect(),
      absl::StrCat("SELECT ", row_id,
                   ", content_key, bank, entry_id, match_id, added_by, "
                   "added_at FROM allowlist WHERE ",
                   row_id, " > ?1 ORDER BY ", row_id, " LIMIT ?2"),
      {"bigint", "integer"});
  v1::ListAllowlistResponse response;
  int64_t last = 0;
  CM_RETURN_IF_ERROR(db.ForEachRow(
      sql, {after_row, int64_t{page_size} + 1},
      [&](const ReviewReader::Row& row) {
        if (response.entries_size() == page_size) {  // the one past the page
          response.set_next_page_token(
              MakePageToken(last, kAllowlistTokenFingerprint));
          return absl::OkStatus();
        }
        last = row.Int(0);
        v1::AllowlistEntry* entry = response.add_entries();
        entry->set_content_key(row.Text(1));
        entry->set_bank(row.Text(2));
        entry->set_entry_id(row.Text(3));
        entry->set_match_id(row.Int(4));
        entry->set_added_by(row.Text(5));
        entry->set_added_unix_micros(row.Int(6));
        return absl::OkStatus();
      }));
  return response;
}

}  // namespace clearmatch::review_internal
