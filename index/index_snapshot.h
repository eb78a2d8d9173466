// IndexSnapshot: an immutable view of every hash bank entry the daemon
// matches against, at one feed sequence number (its version). Requests take
// a std::shared_ptr<const IndexSnapshot> from IndexHolder and use it to the
// end; IndexBuilder makes new ones.
//
//   std::shared_ptr<const IndexSnapshot> s = holder.Current();
//   absl::StatusOr<std::vector<PdqHit>> hits = s->SearchPdq(variants, 31);
//   for (const PdqHit& hit : *hits) Report(s->entry(hit.entry), hit.distance);
//
// Internally a main layer, a small delta layer of recent additions and a set
// of removed main entries that searches skip (see IndexBuilder).
// Thread-safe: immutable; any number of threads may search concurrently.
#ifndef CLEARMATCH_INDEX_INDEX_SNAPSHOT_H_
#define CLEARMATCH_INDEX_INDEX_SNAPSHOT_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "bank/hash_entry.h"
#include "hashing/pdq_hash.h"

namespace clearmatch {
namespace index_internal {
class SnapshotLayer;
}  // namespace index_internal

// A reference to an entry, valid within the snapshot that returned it.
using EntryRef = int64_t;

struct PdqHit {
  int query;  // index into the query batch
  EntryRef entry;
  int distance;  // Hamming distance, 0..max_distance
};

struct FrameHit {
  int query;       // index into the query batch (e.g. the upload's frame)
  EntryRef entry;  // the video entry (HashType::kVpdq)
  int frame;       // index into that entry's EntryView::frames
  int distance;
};

class IndexSnapshot {
 public:
  // Most query codes per search call (e.g. the frames of a long video).
  static constexpr int kMaxQueries = 1 << 20;
  // Largest PDQ search distance (a review band above the match threshold
  // of 31). The multi-index's hash tables serve distances up to 3 x its
  // substring count - 1 (47 below 1M codes, 35 up to 30M, 32 beyond) and
  // scan beyond; docs/PERFORMANCE.md, "Index search beyond 31".
  static constexpr int kMaxSearchDistance = 47;

  IndexSnapshot(const IndexSnapshot&) = delete;
  IndexSnapshot& operator=(const IndexSnapshot&) = delete;
  ~IndexSnapshot();

  // The feed sequence number this snapshot reflects.
  uint64_t version() const { return version_; }
  // Live entries (removed ones excluded).
  int64_t size() const;
  // Recent additions not yet folded into the main layer, and main entries
  // removed since; IndexBuilder::Compact folds both.
  int64_t delta_size() const;
  int64_t removed_size() const { return static_cast<int64_t>(removed_.size()); }

  // The entry behind a hit. `ref` must come from this snapshot; the view is
  // valid while the snapshot lives.
  EntryView entry(EntryRef ref) const;

  // Every live PDQ entry within `max_distance` (inclusive,
  // 0..kMaxSearchDistance) of each query code, sorted by (query, distance,
  // entry). INVALID_ARGUMENT for a distance outside 0..kMaxSearchDistance,
  // RESOURCE_EXHAUSTED over kMaxQueries, INTERNAL if the index fails.
  absl::StatusOr<std::vector<PdqHit>> SearchPdq(
      absl::Span<const PdqHash> queries, int max_distance) const;

  // Every frame of a live video entry within `max_distance` of each query
  // frame hash, sorted by (query, distance, entry, frame). Callers compute
  // the vPDQ per-video percentages from these.
  absl::StatusOr<std::vector<FrameHit>> SearchVideoFrames(
      absl::Span<const PdqHash> frame_queries, int max_distance) const;

  // Live entries of exact type `type` (md5, sha1, sha256) whose raw digest is
  // `digest`, in entry order. INVALID_ARGUMENT for another type or a digest
  // of the wrong length.
  absl::StatusOr<std::vector<EntryRef>> LookupExact(
      HashType type, std::string_view digest) const;

  // Calls `visit` for every live entry, main layer first, in entry order.
  void ForEachEntry(
      absl::FunctionRef<void(EntryRef, const EntryView&)> visit) const;

 private:
  friend class IndexBuilder;
  friend class SnapshotFile;

  IndexSnapshot(uint64_t version,
                std::shared_ptr<const index_internal::SnapshotLayer> main,
                std::shared_ptr<const index_internal::SnapshotLayer> delta,
                absl::flat_hash_set<uint32_t> removed);

  bool IsRemoved(EntryRef ref) const;

  const uint64_t version_;
  // Layers are shared with the snapshots derived from this one.
  const std::shared_ptr<const index_internal::SnapshotLayer> main_;
  const std::shared_ptr<const index_internal::SnapshotLayer> delta_;
  const absl::flat_hash_set<uint32_t> removed_;  // local entries of main_
  const int64_t main_size_;  // entries in main_ (removed included)
};

}  // namespace clearmatch

#endif  // CLEARMATCH_INDEX_INDEX_SNAPSHOT_H_
