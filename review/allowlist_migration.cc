// Schema 2 -> 3: allowlist rows keyed by the hash of the kind that matched.
#include "review/allowlist_migration.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "review/audit_chain.h"
#include "review/review_store.h"
#include "sqlite/sqlite_statement.h"

namespace clearmatch::review_internal {
namespace {

struct DroppedRow {
  int64_t rowid;
  int64_t match_id;
  std::string audit_content;
};

// Whether the row (content_key, bank, entry_id) of a FALSE_POSITIVE on
// `record` is one that schema 3 would have added.
bool FitsTheRule(const v1::MatchRecord& record, absl::string_view content_key,
                 absl::string_view bank, absl::string_view entry_id) {
  if (!LooksHashedByDaemon(record)) return false;
  for (const v1::Match& match : record.matches()) {
    if (match.bank() == bank && match.entry_id() == entry_id &&
        ReviewStore::AllowlistKey(record.query_hashes(),
                                  /*hashes_from_caller=*/false,
                                  match) == content_key) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool LooksHashedByDaemon(const v1::MatchRecord& record) {
  const v1::Hashes& hashes = record.query_hashes();
  return !record.hashes_from_caller() && !hashes.md5().empty() &&
         !hashes.sha1().empty() && !hashes.sha256().empty();
}

absl::Status KeepAllowlistRowsOfTheMatchedKind(SqliteConnection& db,
                                               int64_t now_micros) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db.Prepare("SELECT a.rowid, a.content_key, a.bank, a.entry_id, "
                 "a.match_id, m.record FROM allowlist a "
                 "LEFT JOIN matches m ON m.id = a.match_id ORDER BY a.rowid"));
  std::vector<DroppedRow> dropped;
  CM_RETURN_IF_ERROR(rows.ForEachRow([&](const SqliteStatement& row) {
    v1::MatchRecord record;
    const bool parsed = record.ParseFromString(row.Text(5));
    if (parsed && FitsTheRule(record, row.Text(1), row.Text(2), row.Text(3))) {
      return absl::OkStatus();
    }
    dropped.push_back(
        {row.Int(0), row.Int(4),
         CanonicalFields({row.Text(1), row.Text(2), row.Text(3),
                          kMigrationReviewer,
                          absl::StrCat("match ", row.Int(4),
                                       ": not the hash of the kind that "
                                       "matched, or not hashed by the "
                                       "daemon")})});
    return absl::OkStatus();
  }));
  CM_ASSIGN_OR_RETURN(SqliteStatement remove,
                      db.Prepare("DELETE FROM allowlist WHERE rowid = ?"));
  for (const DroppedRow& row : dropped) {
    remove.BindInt(1, row.rowid);
    CM_RETURN_IF_ERROR(remove.Run());
    CM_RETURN_IF_ERROR(AppendAuditRow(db, "allowlist_remove", row.audit_content,
                                      now_micros, row.match_id)
                           .status());
  }
  return absl::OkStatus();
}

}  // namespace clearmatch::review_internal
