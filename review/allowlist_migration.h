// The review database's schema 2 -> 3 step for the allowlist. Schema 2
// paired every hash of a record (sha256, md5, sha1, the PDQ hash) with
// every matched entry, also for hashes a caller sent, so that a caller
// could launder a match of one kind with an allowlisted hash of another.
// Schema 3 keys each entry by the hash of the kind that matched it
// (ReviewStore::AllowlistKey), from media the daemon hashed only.
//
//   CM_RETURN_IF_ERROR(KeepAllowlistRowsOfTheMatchedKind(db, now_micros));
//
// Runs inside the caller's transaction (the schema's).
#ifndef CLEARMATCH_REVIEW_ALLOWLIST_MIGRATION_H_
#define CLEARMATCH_REVIEW_ALLOWLIST_MIGRATION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "clearmatch/v1/review.pb.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch::review_internal {

// The reviewer named in the audit rows of the rows this step removes.
inline constexpr char kMigrationReviewer[] = "(schema 3 migration)";

// Whether a schema-2 record's hashes look computed by the daemon: it
// always computes all three digests of a file. Schema-2 records do not
// say where their hashes came from; a hash-only request that sent all
// three digests cannot be told apart (docs/REVIEW.md).
bool LooksHashedByDaemon(const v1::MatchRecord& record);

// Keeps the allowlist rows whose record looks hashed by the daemon and
// whose key is the AllowlistKey of one of that record's matches of the
// row's entry; deletes the others, each with an "allowlist_remove" audit
// row saying why.
absl::Status KeepAllowlistRowsOfTheMatchedKind(SqliteConnection& db,
                                               int64_t now_micros);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_ALLOWLIST_MIGRATION_H_
