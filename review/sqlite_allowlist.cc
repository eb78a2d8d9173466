// The allowlist: in-memory set and its table.
#include "review/sqlite_allowlist.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "review/audit_chain.h"
#include "review/review_request_checks.h"
#include "review/review_store.h"
#include "sqlite/sqlite_statement.h"

namespace clearmatch {
namespace {

std::string SetKey(absl::string_view content_key, absl::string_view bank,
                   absl::string_view entry_id) {
  return absl::StrCat(content_key, absl::string_view("\0", 1), bank,
                      absl::string_view("\0", 1), entry_id);
}

// The audit content of an allowlist change.
std::string ChangeContent(absl::string_view content_key, absl::string_view bank,
                          absl::string_view entry_id,
                          absl::string_view reviewer, absl::string_view why) {
  return CanonicalFields({std::string(content_key), std::string(bank),
                          std::string(entry_id), std::string(reviewer),
                          std::string(why)});
}

}  // namespace

bool SqliteAllowlist::Contains(absl::string_view content_key,
                               absl::string_view bank,
                               absl::string_view entry_id) const {
  if (content_key.empty()) return false;
  absl::ReaderMutexLock lock(&mu_);
  return !keys_.empty() && keys_.contains(SetKey(content_key, bank, entry_id));
}

absl::Status SqliteAllowlist::Load(SqliteConnection& db) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db.Prepare("SELECT content_key, bank, entry_id FROM allowlist"));
  absl::flat_hash_set<std::string> loaded;
  CM_RETURN_IF_ERROR(rows.ForEachRow([&](const SqliteStatement& row) {
    loaded.insert(SetKey(row.Text(0), row.Text(1), row.Text(2)));
    return absl::OkStatus();
  }));
  absl::MutexLock lock(&mu_);
  keys_ = std::move(loaded);
  return absl::OkStatus();
}

absl::StatusOr<bool> SqliteAllowlist::AddFalsePositive(
    SqliteConnection& db, const v1::MatchRecord& record,
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
  CM_ASSIGN_OR_RETURN(
      SqliteStatement allow,
      db.Prepare("INSERT OR IGNORE INTO allowlist VALUES (?, ?, ?, ?, ?, ?)"));
  bool added = false;
  for (const v1::Match& match : record.matches()) {
    const std::string key = ReviewStore::AllowlistKey(
        record.query_hashes(), /*hashes_from_caller=*/false, match);
    if (key.empty()) continue;
    allow.BindText(1, key);
    allow.BindText(2, match.bank());
    allow.BindText(3, match.entry_id());
    allow.BindInt(4, record.match_id());
    allow.BindText(5, reviewer);
    allow.BindInt(6, now_micros);
    CM_RETURN_IF_ERROR(allow.Run());
    if (db.Changes() == 0) continue;
    CM_RETURN_IF_ERROR(
        AppendAuditRow(
            db, "allowlist_add",
            ChangeContent(key, match.bank(), match.entry_id(), reviewer, why),
            now_micros, record.match_id())
            .status());
    added = true;
  }
  return added;
}

absl::StatusOr<bool> SqliteAllowlist::RemoveOverridden(
    SqliteConnection& db, int64_t match_id, absl::string_view reviewer,
    int64_t now_micros) {
  CM_ASSIGN_OR_RETURN(SqliteStatement pairs,
                      db.Prepare("DELETE FROM allowlist WHERE match_id = ? "
                                 "RETURNING content_key, bank, entry_id"));
  pairs.BindInt(1, match_id);
  const std::string why = absl::StrCat("override of match ", match_id);
  std::vector<std::string> removed;
  CM_RETURN_IF_ERROR(pairs.ForEachRow([&](const SqliteStatement& row) {
    removed.push_back(
        ChangeContent(row.Text(0), row.Text(1), row.Text(2), reviewer, why));
    return absl::OkStatus();
  }));
  // Audit rows after the DELETE has run to completion.
  for (const std::string& content : removed) {
    CM_RETURN_IF_ERROR(
        AppendAuditRow(db, "allowlist_remove", content, now_micros, match_id)
            .status());
  }
  return !removed.empty();
}

absl::Status SqliteAllowlist::Remove(
    SqliteConnection& db, const v1::RemoveAllowlistEntryRequest& request,
    int64_t now_micros) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement remove,
      db.Prepare("DELETE FROM allowlist WHERE content_key = ? AND bank = ? "
                 "AND entry_id = ? RETURNING match_id"));
  remove.BindText(1, request.content_key());
  remove.BindText(2, request.bank());
  remove.BindText(3, request.entry_id());
  int64_t match_id = -1;  // the removed pair's FALSE_POSITIVE match
  CM_RETURN_IF_ERROR(remove.ForEachRow([&](const SqliteStatement& row) {
    match_id = row.Int(0);
    return absl::OkStatus();
  }));
  if (match_id < 0) {
    return absl::NotFoundError(
        absl::StrCat("allowlist has no entry (", request.content_key(), ", ",
                     request.bank(), "/", request.entry_id(), ")"));
  }
  return AppendAuditRow(db, "allowlist_remove",
                        ChangeContent(request.content_key(), request.bank(),
                                      request.entry_id(), request.reviewer(),
                                      request.note()),
                        now_micros, match_id)
      .status();
}

absl::StatusOr<v1::ListAllowlistResponse> SqliteAllowlist::List(
    SqliteConnection& db, int page_size, int64_t after_rowid) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db.Prepare("SELECT rowid, content_key, bank, entry_id, match_id, "
                 "added_by, added_at FROM allowlist WHERE rowid > ? "
                 "ORDER BY rowid LIMIT ?"));
  rows.BindInt(1, after_rowid);
  rows.BindInt(2, page_size + 1);
  v1::ListAllowlistResponse response;
  int64_t last = 0;
  CM_RETURN_IF_ERROR(rows.ForEachRow([&](const SqliteStatement& row) {
    if (response.entries_size() == page_size) {  // the one past the page
      response.set_next_page_token(
          review_internal::MakePageToken(last, kPageTokenFingerprint));
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

}  // namespace clearmatch
