// AllowlistSet: the review store's allowlist in memory, the (content key,
// bank, entry id) triples that a reviewer's FALSE_POSITIVE suppresses, as
// every Check reads it. SqliteReviewStore and PostgresAllowlist fill it from
// their table (review/allowlist_table.h) after each commit that changed it,
// so that it never holds what a rolled-back transaction wrote.
//
//   AllowlistSet set;
//   set.Replace(std::move(keys), version);     // keys of AllowlistSet::Key
//   set.Contains(key, bank, entry_id);         // request path
//
// Thread-safe: Contains takes a reader lock, Replace the lock for the swap
// only.
#ifndef CLEARMATCH_REVIEW_ALLOWLIST_SET_H_
#define CLEARMATCH_REVIEW_ALLOWLIST_SET_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace clearmatch {

class AllowlistSet {
 public:
  // The set's key of a triple: content_key + '\0' + bank + '\0' + entry_id.
  static std::string Key(absl::string_view content_key, absl::string_view bank,
                         absl::string_view entry_id);

  // Whether `content_key` is allowlisted for bank/entry_id. Cheap when the
  // allowlist is empty. False for an empty key.
  bool Contains(absl::string_view content_key, absl::string_view bank,
                absl::string_view entry_id) const;
  // The version of the keys that Replace took last (-1 before the first).
  int64_t version() const;

  // Replaces the keys with `keys`, read at version `version`, unless the
  // set holds a later version already: two loads that finish in either
  // order leave the newer. (A store without versions passes 0.)
  void Replace(absl::flat_hash_set<std::string> keys, int64_t version);

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> keys_ ABSL_GUARDED_BY(mu_);
  int64_t version_ ABSL_GUARDED_BY(mu_) = -1;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_ALLOWLIST_SET_H_
