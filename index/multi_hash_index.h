// MultiHashIndex: an exact Hamming-distance index for 256-bit PDQ codes that
// is a faiss::IndexBinary, using multi-index hashing (Norouzi et al.).
//
// The 256 bits are split into m contiguous substrings. If two codes are within
// distance r = s * m + a (0 <= a < m), then one of the first a + 1 substrings
// is within s bits, or one of the others is within s - 1 bits (otherwise the
// distance would be at least (a + 1)(s + 1) + (m - a - 1)s = r + 1). So a
// range search probes, in each substring table, every value within that many
// bits of the query's substring, and verifies each candidate with the full
// 256-bit distance. A candidate is reported only from the first substring
// that qualifies it, so no per-query "seen" set is needed.
//
// Layout per substring of b bits: a bucket offset array of 2^b + 1 uint32 and
// one array of ntotal uint32 ids sorted by (bucket, id) (CSR); plus the codes
// themselves (32 bytes each). With m = 12 (8 x 21 bits + 4 x 22 bits) this is
// 32 + 48 = 80 bytes per code plus 128 MiB of offsets.
//
//   MultiHashIndex index;                    // d = 256, m = 12
//   index.add(n, codes);                     // ids 0..n-1 (positions)
//   faiss::RangeSearchResult result(nq);
//   index.range_search(nq, queries, 32, &result);   // distances <= 31
//
// Semantics follow FAISS: ids are positions (sequential from 0 in add order);
// range_search returns distances strictly below `radius`; search() returns the
// k nearest (exact for any k: it uses the hash tables for neighbours within
// distance 31 and falls back to a linear scan when fewer than k are that
// close), padding with distance INT32_MAX and label -1. remove_ids() compacts
// like IndexBinaryFlat: the remaining codes keep their order and are renumbered
// 0..ntotal-1. add() and remove_ids() rebuild the tables in O(ntotal)
// (counting sort, 2 threads): batch them. Searches of n queries run on the
// calling thread, one query after the other; hardware POPCNT is used when the
// CPU has it (checked at start-up), portable code otherwise.
//
// Bad arguments (negative n, null pointers, k <= 0, ids out of range, d other
// than 256) throw faiss::FaissException, as FAISS indexes do; callers in
// index/ convert to absl::Status.
//
// Thread-safety: const methods may run concurrently from any number of
// threads; add(), remove_ids() and reset() need exclusive access.
#ifndef CLEARMATCH_INDEX_MULTI_HASH_INDEX_H_
#define CLEARMATCH_INDEX_MULTI_HASH_INDEX_H_

#include <faiss/IndexBinary.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace clearmatch {
namespace index_internal {

// One substring's hash table (CSR): the ids of the codes whose substring
// value is v are ids[offsets[v] .. offsets[v + 1]), ascending.
struct MultiHashTable {
  int bit_offset = 0;
  int bits = 0;
  std::vector<uint32_t> offsets;  // 2^bits + 1 entries
  std::vector<uint32_t> ids;      // ntotal entries
};

}  // namespace index_internal

class MultiHashIndex : public faiss::IndexBinary {
 public:
  static constexpr int kDimension = 256;
  static constexpr int kCodeBytes = kDimension / 8;
  // 12 substrings (8 of 21 bits, 4 of 22 bits): measured fastest for radius
  // 32 on clustered codes (docs/PERFORMANCE.md).
  static constexpr int kDefaultSubstrings = 12;
  // Substrings must be 8..24 bits wide (offset arrays of at most 64 MiB).
  static constexpr int kMinSubstrings = 11;
  static constexpr int kMaxSubstrings = 32;

  // Throws faiss::FaissException unless d == 256 and num_substrings is in
  // [kMinSubstrings, kMaxSubstrings].
  explicit MultiHashIndex(int d = kDimension,
                          int num_substrings = kDefaultSubstrings);
  ~MultiHashIndex() override;

  // Appends n codes (x: n * 32 bytes) with ids ntotal .. ntotal + n - 1.
  // At most 2^32 - 1 codes in total.
  void add(idx_t n, const uint8_t* x) override;

  // k nearest codes of each of the n queries, nearest first:
  // distances / labels have n * k entries. params must be null.
  void search(idx_t n, const uint8_t* x, idx_t k, int32_t* distances,
              idx_t* labels,
              const faiss::SearchParameters* params = nullptr) const override;

  // Every code at distance < radius (strict) of each query, in no particular
  // order. Uses the hash tables while radius <= 3 * m (<= 36 for m = 12), a
  // linear scan beyond.
  void range_search(
      idx_t n, const uint8_t* x, int radius, faiss::RangeSearchResult* result,
      const faiss::SearchParameters* params = nullptr) const override;

  void reset() override;

  // Removes the selected ids and renumbers the rest (see above). Returns the
  // number removed.
  size_t remove_ids(const faiss::IDSelector& sel) override;

  void reconstruct(idx_t key, uint8_t* recons) const override;

  // The codes and the tables as bytes (little-endian), so that Deserialize
  // does not rebuild.
  std::string Serialize() const;

  // Inverse of Serialize. Checks every length, offset and id (each id must be
  // in range, once per table, in the bucket its code hashes to): malformed
  // bytes give INVALID_ARGUMENT (unknown header) or DATA_LOSS.
  static absl::StatusOr<std::unique_ptr<MultiHashIndex>> Deserialize(
      absl::Span<const uint8_t> bytes);

  int num_substrings() const { return static_cast<int>(tables_.size()); }

 private:
  // Rebuilds every table from codes_ (counting sort, up to 2 threads).
  void RebuildTables();
  void CheckQueryArgs(idx_t n, const uint8_t* x) const;
  // Appends (distance, id) of every code within max_distance (inclusive) of
  // `query` to `hits`.
  void CollectWithin(const uint8_t* query, int max_distance,
                     std::vector<std::pair<int32_t, idx_t>>& hits) const;
  // Linear scan: the k nearest, sorted by (distance, id).
  void ScanNearest(const uint8_t* query, idx_t k,
                   std::vector<std::pair<int32_t, idx_t>>& nearest) const;

  std::vector<uint8_t> codes_;  // ntotal * 32 bytes
  std::vector<index_internal::MultiHashTable> tables_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_INDEX_MULTI_HASH_INDEX_H_
