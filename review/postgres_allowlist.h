// PostgresAllowlist: the allowlist (review/sqlite_allowlist.h says what it
// is) in a PostgreSQL review database shared by several replicas: the
// in-memory set every Check reads, and the table. Every change, in the
// changing transaction, bumps allowlist_version and sends NOTIFY on
// kAllowlistChannel (delivered at commit), so that the other replicas'
// AllowlistFollower reloads the set; the replica that changed it reloads
// right after its commit.
//
//   CM_ASSIGN_OR_RETURN(bool changed, allowlist.AddFalsePositive(db, ...));
//   ... commit ...
//   if (changed) CM_RETURN_IF_ERROR(allowlist.Load(db));
//
// Thread-safe: the set has its own lock (a reader lock for Contains, held
// for the swap only); the methods that take a connection need its owner's
// lock, like the connection itself.
#ifndef CLEARMATCH_REVIEW_POSTGRES_ALLOWLIST_H_
#define CLEARMATCH_REVIEW_POSTGRES_ALLOWLIST_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "clearmatch/v1/review.pb.h"
#include "postgres/postgres_connection.h"

namespace clearmatch {

class PostgresAllowlist {
 public:
  // Whether `content_key` is allowlisted for bank/entry_id. In memory;
  // cheap when the allowlist is empty. False for an empty key.
  bool Contains(absl::string_view content_key, absl::string_view bank,
                absl::string_view entry_id) const;
  // The allowlist_version of the set loaded last (-1 before the first).
  int64_t version() const;

  // Replaces the set with the table's rows (one consistent snapshot),
  // unless the set is newer already (a later allowlist_version).
  absl::Status Load(PostgresConnection& db);
  // The table's allowlist_version now.
  static absl::StatusOr<int64_t> ReadVersion(PostgresConnection& db);

  // As SqliteAllowlist's namesakes.
  absl::StatusOr<bool> AddFalsePositive(PostgresConnection& db,
                                        const v1::MatchRecord& record,
                                        absl::string_view reviewer,
                                        int64_t now_micros);
  absl::StatusOr<bool> RemoveOverridden(PostgresConnection& db,
                                        int64_t match_id,
                                        absl::string_view reviewer,
                                        int64_t now_micros);
  absl::Status Remove(PostgresConnection& db,
                      const v1::RemoveAllowlistEntryRequest& request,
                      int64_t now_micros);
  absl::StatusOr<v1::ListAllowlistResponse> List(PostgresConnection& db,
                                                 int page_size,
                                                 int64_t after_row);

 private:
  // Counts a change for the other replicas (version + NOTIFY).
  static absl::Status Announce(PostgresConnection& db);

  mutable absl::Mutex mu_;
  // content_key + '\0' + bank + '\0' + entry_id.
  absl::flat_hash_set<std::string> keys_ ABSL_GUARDED_BY(mu_);
  int64_t version_ ABSL_GUARDED_BY(mu_) = -1;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_POSTGRES_ALLOWLIST_H_
