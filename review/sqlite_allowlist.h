// SqliteAllowlist: the review store's allowlist of (content key, bank,
// entry id) triples that a reviewer's FALSE_POSITIVE suppresses: an
// in-memory set that every Check reads, and its table in the SQLite review
// database, where every change also leaves an audit row.
//
//   SqliteAllowlist allowlist;
//   CM_RETURN_IF_ERROR(allowlist.Load(db));            // at open
//   allowlist.Contains(key, bank, entry_id);           // request path
//   CM_ASSIGN_OR_RETURN(bool changed,
//                       allowlist.AddFalsePositive(db, record, who, now));
//   ... commit ...
//   if (changed) CM_RETURN_IF_ERROR(allowlist.Load(db));
//
// Writes change only the table (inside the caller's transaction); the set
// follows at the next Load, after the commit, so that it never holds what a
// rolled-back transaction wrote.
//
// Thread-safe: Contains takes a reader lock on the set. The methods that
// take a connection need its owner's lock, like the connection itself.
#ifndef CLEARMATCH_REVIEW_SQLITE_ALLOWLIST_H_
#define CLEARMATCH_REVIEW_SQLITE_ALLOWLIST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "clearmatch/v1/review.pb.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch {

class SqliteAllowlist {
 public:
  // Whether `content_key` is allowlisted for bank/entry_id. In memory;
  // cheap when the allowlist is empty. False for an empty key.
  bool Contains(absl::string_view content_key, absl::string_view bank,
                absl::string_view entry_id) const;

  // Replaces the set with the table's rows.
  absl::Status Load(SqliteConnection& db);

  // Adds, per matched entry of the FALSE_POSITIVE on `record` by
  // `reviewer`, the pair (ReviewStore::AllowlistKey of the record's hashes,
  // entry); true if any was new. A record whose hashes came from the
  // caller adds nothing: an "allowlist_skipped" audit row says so.
  absl::StatusOr<bool> AddFalsePositive(SqliteConnection& db,
                                        const v1::MatchRecord& record,
                                        absl::string_view reviewer,
                                        int64_t now_micros);
  // Removes the pairs a FALSE_POSITIVE on match `match_id` added, which
  // `reviewer` overrode; true if there were any.
  absl::StatusOr<bool> RemoveOverridden(SqliteConnection& db, int64_t match_id,
                                        absl::string_view reviewer,
                                        int64_t now_micros);
  // Removes one pair; NOT_FOUND if it is not on the allowlist.
  absl::Status Remove(SqliteConnection& db,
                      const v1::RemoveAllowlistEntryRequest& request,
                      int64_t now_micros);
  // The rows after row `after_rowid`, oldest first, at most `page_size`,
  // with the token of the next page if there is one.
  absl::StatusOr<v1::ListAllowlistResponse> List(SqliteConnection& db,
                                                 int page_size,
                                                 int64_t after_rowid);

  // The fingerprint of the allowlist's page tokens.
  static constexpr absl::string_view kPageTokenFingerprint = "allowlist";

 private:
  mutable absl::Mutex mu_;
  // content_key + '\0' + bank + '\0' + entry_id.
  absl::flat_hash_set<std::string> keys_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_SQLITE_ALLOWLIST_H_
