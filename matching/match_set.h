// MatchSet: the matches of one query, the best one per index entry (most
// severe decision, then the closest), as the Matcher finds them.
//
//   MatchSet set(snapshot, policy);
//   set.Offer(ref, set.NewMatch(ref, v1::BLOCK, /*distance=*/3));
//   std::vector<v1::Match> sorted = std::move(set).Sorted();
//
// Thread-compatible; borrows the snapshot and the policy.
#ifndef CLEARMATCH_MATCHING_MATCH_SET_H_
#define CLEARMATCH_MATCHING_MATCH_SET_H_

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "clearmatch/v1/matcher.pb.h"
#include "index/index_snapshot.h"
#include "matching/verdict_policy.h"

namespace clearmatch {

class MatchSet {
 public:
  MatchSet(const IndexSnapshot& snapshot, const VerdictPolicy& policy)
      : snapshot_(snapshot), policy_(policy) {}

  // A match naming `ref`'s entry, with its bank's shadow flag.
  v1::Match NewMatch(EntryRef ref, v1::Decision decision, int distance) const;

  // Keeps `match` if it is better than what `ref` has so far.
  void Offer(EntryRef ref, v1::Match match);

  // The match kept for `ref`, if any.
  v1::Match* Find(EntryRef ref);

  // Every kept match: most severe first, then closest, then by bank,
  // entry id and hash type (a stable order for equal ones).
  std::vector<v1::Match> Sorted() &&;

 private:
  const IndexSnapshot& snapshot_;
  const VerdictPolicy& policy_;
  absl::flat_hash_map<EntryRef, v1::Match> best_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_MATCHING_MATCH_SET_H_
