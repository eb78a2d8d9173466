// PostgresAllowlist: the allowlist in a PostgreSQL review database shared
// by several replicas: the in-memory set every Check reads
// (review/allowlist_set.h) and the table (review/allowlist_table.h, the
// queries written once for both stores). Every change, in the changing
// transaction, bumps allowlist_version and sends NOTIFY on
// kAllowlistChannel (delivered at commit), so that the other replicas'
// AllowlistFollower reloads the set; the replica that changed it reloads
// right after its commit.
//
//   CM_ASSIGN_OR_RETURN(bool changed,
//                       allowlist.ApplyDecision(db, request, record, ...));
//   ... commit ...
//   if (changed) CM_RETURN_IF_ERROR(allowlist.Load(db));
//
// Thread-safe: the set has its own lock (a reader lock for Contains, held
// for the swap only); the methods that take a connection need its owner's
// lock, like the connection itself.
#ifndef CLEARMATCH_REVIEW_POSTGRES_ALLOWLIST_H_
#define CLEARMATCH_REVIEW_POSTGRES_ALLOWLIST_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.pb.h"
#include "postgres/postgres_connection.h"
#include "review/allowlist_set.h"

namespace clearmatch {

class PostgresAllowlist {
 public:
  // Whether `content_key` is allowlisted for bank/entry_id. In memory;
  // cheap when the allowlist is empty. False for an empty key.
  bool Contains(absl::string_view content_key, absl::string_view bank,
                absl::string_view entry_id) const {
    return set_.Contains(content_key, bank, entry_id);
  }
  // The allowlist_version of the set loaded last (-1 before the first).
  int64_t version() const { return set_.version(); }

  // Replaces the set with the table's rows (one consistent snapshot),
  // unless the set is newer already (a later allowlist_version).
  absl::Status Load(PostgresConnection& db);
  // The table's allowlist_version now.
  static absl::StatusOr<int64_t> ReadVersion(PostgresConnection& db);

  // The allowlist side of `request` on `record`, whose outcome was
  // `previous` (review_internal::ApplyDecisionToAllowlist); true if the
  // table changed.
  absl::StatusOr<bool> ApplyDecision(PostgresConnection& db,
                                     const v1::DecideRequest& request,
                                     const v1::MatchRecord& record,
                                     v1::ReviewOutcome previous,
                                     int64_t now_micros);
  // Removes one pair; NOT_FOUND if it is not on the allowlist.
  absl::Status Remove(PostgresConnection& db,
                      const v1::RemoveAllowlistEntryRequest& request,
                      int64_t now_micros);

 private:
  // Counts a change for the other replicas (version + NOTIFY).
  static absl::Status Announce(PostgresConnection& db);

  AllowlistSet set_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_POSTGRES_ALLOWLIST_H_
