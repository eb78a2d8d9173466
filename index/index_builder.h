// IndexBuilder: makes IndexSnapshots, fully (Build), incrementally (Apply:
// additions and removals without rebuilding the main PDQ index) and by
// folding the delta back into a new main index (Compact).
//
//   IndexBuilder builder(IndexBuilder::Options{});
//   auto s1 = builder.Build(std::move(entries), /*version=*/1);
//   auto s2 = builder.Apply(**s1, std::move(adds), removed_keys, 2);
//   holder.Swap(*s2);
//   if (builder.ShouldCompact(**s2)) {        // off the request path
//     auto s3 = builder.Compact(**s2);        // slow at 10M entries
//     ... Apply the changes made since s2 to *s3, then Swap.
//   }
//
// Apply copies only the delta layer (recent additions) and the removed set,
// so its cost grows with those, plus one scan of the main entries when there
// are removals; the main index is shared. Within one Apply, removals happen
// before additions (so remove + add of one key replaces it).
//
// Compact is a pure function of its base: a writer that keeps applying
// changes while a Compact runs must re-apply those changes to its result.
// Thread-safe: stateless apart from its options; snapshots are immutable.
#ifndef CLEARMATCH_INDEX_INDEX_BUILDER_H_
#define CLEARMATCH_INDEX_INDEX_BUILDER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "bank/hash_entry.h"
#include "index/index_snapshot.h"

namespace clearmatch {

class IndexBuilder {
 public:
  struct Options {
    // ShouldCompact() says yes once the delta layer or the removed set holds
    // more entries than this.
    int64_t compact_threshold = 100000;
  };

  explicit IndexBuilder(Options options) : options_(options) {}

  // A snapshot of exactly `entries` (main layer only). INVALID_ARGUMENT
  // names the first invalid entry.
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> Build(
      std::vector<HashEntry> entries, uint64_t version) const;

  // `base` minus every entry whose key is in `removals`, plus `additions`.
  // Unknown keys in `removals` are ignored. FAILED_PRECONDITION if `version`
  // is older than base's.
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> Apply(
      const IndexSnapshot& base, std::vector<HashEntry> additions,
      absl::Span<const EntryKey> removals, uint64_t version) const;

  // The same live entries as `base` (same version) in a fresh main layer,
  // with an empty delta and no removed set.
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> Compact(
      const IndexSnapshot& base) const;

  bool ShouldCompact(const IndexSnapshot& snapshot) const;

 private:
  Options options_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_INDEX_INDEX_BUILDER_H_
