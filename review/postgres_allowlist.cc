// The allowlist on PostgreSQL: the set's snapshot loads and the changes'
// announcements around the shared table queries.
#include "review/postgres_allowlist.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "postgres/postgres_transaction.h"
#include "review/allowlist_table.h"
#include "review/postgres_review_database.h"
#include "review/postgres_review_schema.h"

namespace clearmatch {

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
  review_internal::PostgresReviewDatabase database(db);
  CM_ASSIGN_OR_RETURN(absl::flat_hash_set<std::string> keys,
                      review_internal::SelectAllowlistKeys(database));
  CM_RETURN_IF_ERROR(snapshot.Commit());
  // Two loads (the store's after a change, the follower's) may finish in
  // either order: the set only moves forward.
  set_.Replace(std::move(keys), version);
  return absl::OkStatus();
}

absl::Status PostgresAllowlist::Announce(PostgresConnection& db) {
  CM_RETURN_IF_ERROR(
      db.Exec("UPDATE allowlist_version SET version = version + 1"));
  return db.Exec(absl::StrCat("NOTIFY ", review_internal::kAllowlistChannel));
}

absl::StatusOr<bool> PostgresAllowlist::ApplyDecision(
    PostgresConnection& db, const v1::DecideRequest& request,
    const v1::MatchRecord& record, v1::ReviewOutcome previous,
    int64_t now_micros) {
  review_internal::PostgresReviewDatabase database(db);
  CM_ASSIGN_OR_RETURN(const bool changed,
                      review_internal::ApplyDecisionToAllowlist(
                          database, request, record, previous, now_micros));
  if (changed) CM_RETURN_IF_ERROR(Announce(db));
  return changed;
}

absl::Status PostgresAllowlist::Remove(
    PostgresConnection& db, const v1::RemoveAllowlistEntryRequest& request,
    int64_t now_micros) {
  review_internal::PostgresReviewDatabase database(db);
  CM_RETURN_IF_ERROR(
      review_internal::RemovePair(database, request, now_micros));
  return Announce(db);
}

}  // namespace clearmatch
