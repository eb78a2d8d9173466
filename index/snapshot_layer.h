// SnapshotLayer (internal to index/): one immutable set of HashEntry rows
// with their search structures: a FAISS binary index over the PDQ entries,
// one over the frames of the video entries, and maps from raw MD5 / SHA-1 /
// SHA-256 digests to entries. An IndexSnapshot is a main layer, a small delta
// layer of recent additions and a set of removed main entries.
//
// Entries are numbered locally 0..size()-1 in the order given.
// Thread-safe: immutable after Build/Restore; searches are const.
#ifndef CLEARMATCH_INDEX_SNAPSHOT_LAYER_H_
#define CLEARMATCH_INDEX_SNAPSHOT_LAYER_H_

#include <faiss/IndexBinary.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "index/hash_entry.h"

namespace clearmatch::index_internal {

class SnapshotLayer {
 public:
  // A hit of query `query` on local entry `entry` (for frames: its frame
  // `frame`, an index into HashEntry::frames).
  struct Hit {
    int query;
    uint32_t entry;
    uint32_t frame;
    int distance;
  };

  // Validates the entries and builds every search structure (the PDQ index
  // through NewPdqIndex). INVALID_ARGUMENT names the first bad entry.
  static absl::StatusOr<std::unique_ptr<const SnapshotLayer>> Build(
      std::vector<HashEntry> entries);

  // From a verified snapshot file: the indexes must hold one row per PDQ
  // entry / per video frame, in entry order (DATA_LOSS otherwise). Only the
  // digest maps are rebuilt.
  static absl::StatusOr<std::unique_ptr<const SnapshotLayer>> Restore(
      std::vector<HashEntry> entries,
      std::unique_ptr<faiss::IndexBinary> pdq_index,
      std::unique_ptr<faiss::IndexBinary> frame_index);

  SnapshotLayer(const SnapshotLayer&) = delete;
  SnapshotLayer& operator=(const SnapshotLayer&) = delete;

  const std::vector<HashEntry>& entries() const { return entries_; }
  const faiss::IndexBinary& pdq_index() const { return *pdq_index_; }
  const faiss::IndexBinary& frame_index() const { return *frame_index_; }

  // Appends every PDQ entry within `max_distance` (inclusive, 0..31) of
  // each of the `n` 32-byte codes at `queries`. INVALID_ARGUMENT for a
  // distance outside 0..31, INTERNAL if FAISS throws.
  absl::Status SearchPdq(const uint8_t* queries, int n, int max_distance,
                         std::vector<Hit>* hits) const;
  // Same over the frames of video entries.
  absl::Status SearchFrames(const uint8_t* queries, int n, int max_distance,
                            std::vector<Hit>* hits) const;

  // Local entries of exact type `type` whose raw digest is `digest`.
  absl::Span<const uint32_t> LookupDigest(HashType type,
                                          std::string_view digest) const;

 private:
  struct FrameRow {
    uint32_t entry;
    uint32_t frame;
  };
  using DigestMap =
      absl::flat_hash_map<std::string_view, absl::InlinedVector<uint32_t, 1>>;

  SnapshotLayer() = default;
  // Fills pdq_rows_, frame_rows_ and digests_ from entries_ (which must not
  // change afterwards: the maps' keys point into it).
  absl::Status IndexEntries();

  std::vector<HashEntry> entries_;
  std::unique_ptr<faiss::IndexBinary> pdq_index_;
  std::vector<uint32_t> pdq_rows_;  // FAISS row -> local entry
  std::unique_ptr<faiss::IndexBinary> frame_index_;
  std::vector<FrameRow> frame_rows_;  // FAISS row -> (entry, frame)
  std::array<DigestMap, 3> digests_;  // md5, sha1, sha256
};

}  // namespace clearmatch::index_internal

#endif  // CLEARMATCH_INDEX_SNAPSHOT_LAYER_H_
