// SnapshotLayer (internal to index/): one immutable set of hash bank entries
// with their search structures: a FAISS binary index over the PDQ entries,
// one over the frames of the video entries, and sorted lookups of the raw
// MD5 / SHA-1 / SHA-256 digests. An IndexSnapshot is a main layer, a small
// delta layer of recent additions and a set of removed main entries.
//
// Entries are stored in columns (SnapshotLayer::Columns), about 40 bytes
// plus the entry id per entry: bank, category and source feed are ids into
// a per-layer string table (they take few distinct values), entry ids are
// one character buffer with offsets, PDQ codes live only in the PDQ index.
// Snapshot files store the same columns as they are.
//
// Entries are numbered locally 0..size()-1 in the order given.
// Thread-safe: immutable after Build/Restore; searches are const.
#ifndef CLEARMATCH_INDEX_SNAPSHOT_LAYER_H_
#define CLEARMATCH_INDEX_SNAPSHOT_LAYER_H_

#include <faiss/IndexBinary.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "bank/hash_entry.h"

namespace clearmatch::index_internal {

class SnapshotLayer {
 public:
  // A hit of query `query` on local entry `entry` (for frames: its frame
  // `frame`, an index into EntryView::frames).
  struct Hit {
    int query;
    uint32_t entry;
    uint32_t frame;
    int distance;
  };

  // String ids of one entry's bank, category and source feed.
  struct Labels {
    uint32_t bank;
    uint32_t category;
    uint32_t source_feed;
  };

  // Number of exact digest types (md5, sha1, sha256).
  static constexpr int kDigestTypes = 3;

  // Every entry's content except the PDQ codes (which are the PDQ index's
  // rows, in entry order). n = types.size().
  struct Columns {
    std::vector<uint8_t> types;     // n HashType values
    std::vector<int64_t> added_at;  // n
    std::vector<Labels> labels;     // n
    // The string table: string k is
    // string_chars[string_offsets[k] .. string_offsets[k + 1]).
    std::vector<uint64_t> string_offsets;  // strings + 1, from 0
    std::string string_chars;
    // Entry i's id is id_chars[id_offsets[i] .. id_offsets[i + 1]).
    std::vector<uint64_t> id_offsets;  // n + 1, from 0
    std::string id_chars;
    // Raw digests of the md5 / sha1 / sha256 entries, in entry order,
    // DigestLength bytes each.
    std::array<std::string, kDigestTypes> digests;
    // Frames of the video entries, in entry order: video k has frames
    // [frame_offsets[k], frame_offsets[k + 1]).
    std::vector<uint32_t> frame_offsets;  // videos + 1, from 0
    std::vector<VpdqFrame> frames;
  };

  // Validates the entries and builds every search structure (the PDQ index
  // through NewPdqIndex). INVALID_ARGUMENT names the first bad entry.
  // Frees each entry's memory as it is copied in.
  static absl::StatusOr<std::unique_ptr<const SnapshotLayer>> Build(
      std::vector<HashEntry> entries);

  // From a verified snapshot file: the indexes must hold one row per PDQ
  // entry / per video frame, in entry order. DATA_LOSS names the first
  // inconsistency (a column of the wrong size, an offset out of order or
  // beyond its buffer, a string id outside the table, an unknown type...).
  // Only the digest lookups are rebuilt.
  static absl::StatusOr<std::unique_ptr<const SnapshotLayer>> Restore(
      Columns columns, std::unique_ptr<faiss::IndexBinary> pdq_index,
      std::unique_ptr<faiss::IndexBinary> frame_index);

  SnapshotLayer(const SnapshotLayer&) = delete;
  SnapshotLayer& operator=(const SnapshotLayer&) = delete;

  size_t size() const { return columns_.types.size(); }
  // Local entry `i` (< size()); valid while this layer lives.
  EntryView entry(uint32_t i) const;
  // Entry i's id and source feed (cheaper than entry(i) for removals).
  std::string_view entry_id(uint32_t i) const;
  std::string_view source_feed(uint32_t i) const;

  const Columns& columns() const { return columns_; }
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

  // Local entries of exact type `type` whose raw digest is `digest`,
  // ascending.
  absl::Span<const uint32_t> LookupDigest(HashType type,
                                          std::string_view digest) const;

 private:
  SnapshotLayer() = default;
  // DATA_LOSS unless the columns and indexes are consistent (see Restore).
  absl::Status CheckColumns() const;
  // Fills slots_, pdq_rows_, video_entries_ and digest_lookup_ from
  // columns_ (one pass plus a sort of the digest entries).
  void IndexColumns();
  std::string_view String(uint32_t id) const;
  std::string_view Digest(uint32_t entry) const;

  Columns columns_;
  // Entry i is the slots_[i]-th entry of its type: its PDQ index row, its
  // digest's position in columns_.digests or its video number.
  std::vector<uint32_t> slots_;
  std::unique_ptr<faiss::IndexBinary> pdq_index_;
  std::vector<uint32_t> pdq_rows_;  // PDQ index row -> local entry
  std::unique_ptr<faiss::IndexBinary> frame_index_;
  std::vector<uint32_t> video_entries_;  // video number -> local entry
  // Entries of each digest type sorted by (digest, entry).
  std::array<std::vector<uint32_t>, kDigestTypes> digest_lookup_;
};

}  // namespace clearmatch::index_internal

#endif  // CLEARMATCH_INDEX_SNAPSHOT_LAYER_H_
