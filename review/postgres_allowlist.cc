// The allowlist on PostgreSQL: in-memory set and its table.
#include "review/postgres_allowlist.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "postgres/postgres_transaction.h"
#include "review/audit_chain.h"
#include "review/postgres_review_queries.h"
#include "review/postgres_review_schema.h"
#include "review/review_request_checks.h"
#include "review/review_store.h"

namespace clearmatch {
namespace {

using review_internal::AppendAuditRow;

// As SqliteAllowlist's: a token of either store reads the same.
constexpr absl::string_view kPageTokenFingerprint = "allowlist";

std::string SetKey(absl::string_view content_key, absl::string_view bank,
                   absl::string_view entry_id) {
  return absl::StrCat(content_key, absl::string_view("\0", 1), bank,
                      absl::string_view("\0", 1), entry_id);
}

// The audit content of an allowlist change (as SQLite's).
std::string ChangeContent(absl::string_view content_key, absl::string_view bank,
                          absl::string_view entry_id,
                          absl::string_view reviewer, absl::string_view why) {
  return CanonicalFields({std::string(content_key), std::string(bank),
                          std::string(entry_id), std::string(reviewer),
                          std::string(why)});
}

}  // namespace

bool PostgresAllowlist::Contains(absl::string_view content_key,
                                 absl::string_view bank,
                                 absl::string_view entry_id) const {
  if (content_key.empty()) return false;
  absl::ReaderMutexLock lock(&mu_);
  return !keys_.empty() && keys_.contains(SetKey(content_key, bank, entry_id));
}

int64_t PostgresAllowlist::version() const {
  absl::ReaderMutexLock lock(&mu_);
  return version_;
}

absl::StatusOr<int64_t> PostgresAllowlist::ReadVersion(PostgresConnection& db) {
  CM_ASSIGN_OR_RETURN(PostgresResult row,
                      db.Query("SELECT version FROM allowlist_version"));
  if (row.rows() != 1) {
    return absl::DataLossError("review store: allowlist_version has no row");
  }
  return row.Int(0, 0);
}

absl::Status PostgresAllowlist::Load(PostgresConnection& db) {
  // The rows and their version from one snapshot.
  PostgresTransaction snapshot(db);
  CM_RETURN_IF_ERROR(
      snapshot.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  CM_ASSIGN_OR_RETURN(const int64_t version, ReadVersion(db));
  CM_ASSIGN_OR_RETURN(
      PostgresResult rows,
      db.Query("SELECT content_key, bank, entry_id FROM allowlist"));
  CM_RETURN_IF_ERROR(snapshot.Commit());
  absl::flat_hash_set<std::string> loaded;
  loaded.reserve(rows.rows());
  for (int i = 0; i < rows.rows(); ++i) {
    loaded.insert(SetKey(rows.Text(i, 0), rows.Text(i, 1), rows.Text(i, 2)));
  }
  absl::MutexLock lock(&mu_);
  // Two loads (the store's after a change, the follower's) may finish in
  // either order: the set only moves forward.
  if (version < version_) return absl::OkStatus();
  keys_ = std::move(loaded);
  version_ = version;
  return absl::OkStatus();
}

absl::Status PostgresAllowlist::Announce(PostgresConnection& db) {
  CM_RETURN_IF_ERROR(
      db.Exec("UPDATE allowlist_version SET version = version + 1"));
  return db.Exec(absl::StrCat("NOTIFY ", review_internal::kAllowlistChannel));
}

absl::StatusOr<bool> PostgresAllowlist::AddFalsePositive(
    PostgresConnection& db, const v1::MatchRecord& record,
    absl::string_view reviewer, int64_t now_micros) {
  const std::string why = absl::StrCat("match ", record.match_id());
  if (record.hashes_from_caller()) {
    CM_RETURN_IF_ERROR(
        AppendAuditRow(db, "allowlist_skipped",
                       ChangeContent("", "", "", reviewer,
                                     absl::StrCat(why,
                                                  ": hashes from the "
                                                  "caller, nothing "
                                                  "allowlisted")),
                       now_micros, record.match_id())
            .status());
    return false;
  }
  bool added = false;
  for (const v1::Match& match : record.matches()) {
    const std::string key = ReviewStore::AllowlistKey(
        record.query_hashes(), /*hashes_from_caller=*/false, match);
    if (key.empty()) continue;
    CM_ASSIGN_OR_RETURN(
        PostgresResult inserted,
        db.Query("INSERT INTO allowlist (content_key, bank, entry_id, "
                 "match_id, added_by, added_at) VALUES ($1, $2, $3, "
                 "$4::bigint, $5, $6::bigint) ON CONFLICT DO NOTHING",
                 {key, match.bank(), match.entry_id(), record.match_id(),
                  reviewer, now_micros}));
    if (inserted.affected() == 0) continue;
    CM_RETURN_IF_ERROR(
        AppendAuditRow(
            db, "allowlist_add",
            ChangeContent(key, match.bank(), match.entry_id(), reviewer, why),
            now_micros, record.match_id())
            .status());
    added = true;
  }
  if (added) CM_RETURN_IF_ERROR(Announce(db));
  return added;
}

absl::StatusOr<bool> PostgresAllowlist::RemoveOverridden(
    PostgresConnection& db, int64_t match_id, absl::string_view reviewer,
    int64_t now_micros) {
  CM_ASSIGN_OR_RETURN(
      PostgresResult rows,
      db.Query("DELETE FROM allowlist WHERE match_id = $1::bigint "
               "RETURNING content_key, bank, entry_id, row_id",
               {match_id}));
  // In the order they were added, as SQLite's rowid order gives them.
  std::vector<std::pair<int64_t, std::string>> removed;
  const std::string why = absl::StrCat("override of match ", match_id);
  for (int i = 0; i < rows.rows(); ++i) {
    removed.emplace_back(rows.Int(i, 3),
                         ChangeContent(rows.Text(i, 0), rows.Text(i, 1),
                                       rows.Text(i, 2), reviewer, why));
  }
  std::sort(removed.begin(), removed.end());
  for (const auto& [row_id, content] : removed) {
    CM_RETURN_IF_ERROR(
        AppendAuditRow(db, "allowlist_remove", content, now_micros, match_id)
            .status());
  }
  if (!removed.empty()) CM_RETURN_IF_ERROR(Announce(db));
  return !removed.empty();
}

absl::Status PostgresAllowlist::Remove(
    PostgresConnection& db, const v1::RemoveAllowlistEntryRequest& request,
    int64_t now_micros) {
  CM_ASSIGN_OR_RETURN(
      PostgresResult removed,
      db.Query("DELETE FROM allowlist WHERE content_key = $1 AND bank = $2 "
               "AND entry_id = $3 RETURNING match_id",
               {request.content_key(), request.bank(), request.entry_id()}));
  if (removed.rows() == 0) {
    return absl::NotFoundError(
        absl::StrCat("allowlist has no entry (", request.content_key(), ", ",
                     request.bank(), "/", request.entry_id(), ")"));
  }
  CM_RETURN_IF_ERROR(
      AppendAuditRow(
          db, "allowlist_remove",
          ChangeContent(request.content_key(), request.bank(),
                        request.entry_id(), request.reviewer(), request.note()),
          // The removed pair's FALSE_POSITIVE match.
          now_micros, removed.Int(0, 0))
          .status());
  return Announce(db);
}

absl::StatusOr<v1::ListAllowlistResponse> PostgresAllowlist::List(
    PostgresConnection& db, int page_size, int64_t after_row) {
  CM_ASSIGN_OR_RETURN(
      PostgresResult rows,
      db.Query("SELECT row_id, content_key, bank, entry_id, match_id, "
               "added_by, added_at FROM allowlist WHERE row_id > $1::bigint "
               "ORDER BY row_id LIMIT $2::integer",
               {after_row, page_size + 1}));
  v1::ListAllowlistResponse response;
  for (int i = 0; i < rows.rows() && i < page_size; ++i) {
    v1::AllowlistEntry* entry = response.add_entries();
    entry->set_content_key(rows.Text(i, 1));
    entry->set_bank(rows.Text(i, 2));
    entry->set_entry_id(rows.Text(i, 3));
    entry->set_match_id(rows.Int(i, 4));
    entry->set_added_by(rows.Text(i, 5));
    entry->set_added_unix_micros(rows.Int(i, 6));
  }
  if (rows.rows() > page_size) {
    response.set_next_page_token(review_internal::MakePageToken(
        rows.Int(page_size - 1, 0), kPageTokenFingerprint));
  }
  return response;
}

}  // namespace clearmatch
