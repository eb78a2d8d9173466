// MultiHashIndex: multi-index hashing over 256-bit codes (see the header).
#include "index/multi_hash_index.h"

#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/FaissAssert.h>
#include <faiss/impl/IDSelector.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "absl/base/attributes.h"
#include "index/hamming_kernels.h"
#include "index/multi_hash_tables.h"

namespace clearmatch {
namespace {

using index_internal::BuildTable;
using index_internal::Code256;
using index_internal::Distance256;
using index_internal::ExtractBits;
using index_internal::ForEachTableParallel;
using index_internal::LoadCode256;
using index_internal::MakeTables;
using index_internal::MultiHashTable;
using index_internal::Popcount64;
using Hits = std::vector<std::pair<int32_t, faiss::IndexBinary::idx_t>>;

constexpr int kCodeBytes = MultiHashIndex::kCodeBytes;
// Probing a substring within more than 2 bits costs more than a scan.
constexpr int kMaxProbeRadius = 2;
// k-NN searches first collect every code within this distance with the
// tables (the PDQ match threshold), then scan if fewer than k were found.
constexpr int kNearestTableDistance = 31;
// Codes fetched ahead of the one being verified.
constexpr int kPrefetchAhead = 8;
// Probes whose bucket offsets, and then bucket ids, are fetched ahead of the
// probe being verified.
constexpr int kProbeOffsetsAhead = 16;
constexpr int kProbeIdsAhead = 8;
constexpr size_t kScanBlock = 4096;

// Verifies the codes in bucket `value` of table j: reports those within
// max_distance whose first qualifying substring is j.
template <bool kHardware>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void VerifyBucket(
    const Code256& q, const uint8_t* codes, const MultiHashTable* tables,
    const int* probe_radius, int j, uint32_t value, int max_distance,
    Hits& hits) {
  const MultiHashTable& table = tables[j];
  const uint32_t* begin = table.ids.data() + table.offsets[value];
  const uint32_t* end = table.ids.data() + table.offsets[value + 1];
  for (const uint32_t* p = begin; p < end; ++p) {
    if (end - p > kPrefetchAhead) {
      __builtin_prefetch(codes + size_t{p[kPrefetchAhead]} * kCodeBytes);
    }
    const Code256 c = LoadCode256(codes + size_t{*p} * kCodeBytes);
    const int distance = Distance256<kHardware>(q, c);
    if (distance > max_distance) continue;
    const Code256 x = {
        {q.w[0] ^ c.w[0], q.w[1] ^ c.w[1], q.w[2] ^ c.w[2], q.w[3] ^ c.w[3]}};
    bool earlier = false;
    for (int i = 0; i < j && !earlier; ++i) {
      earlier =
          Popcount64<kHardware>(ExtractBits(x, tables[i].bit_offset,
                                            tables[i].bits)) <= probe_radius[i];
    }
    if (!earlier) hits.emplace_back(distance, *p);
  }
}

// Appends every code within max_distance of `query` to hits, each once.
// Requires max_distance / m <= kMaxProbeRadius.
template <bool kHardware>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void ProbeTables(
    const uint8_t* query, const uint8_t* codes,
    const std::vector<MultiHashTable>& tables, int max_distance, Hits& hits) {
  const int m = static_cast<int>(tables.size());
  const Code256 q = LoadCode256(query);
  // Pigeonhole: max_distance = s * m + a; substrings 0..a within s bits,
  // the others within s - 1.
  const int s = max_distance / m;
  const int a = max_distance % m;
  int probe_radius[MultiHashIndex::kMaxSubstrings];
  for (int i = 0; i < m; ++i) probe_radius[i] = i <= a ? s : s - 1;
  // Bucket values to probe in one table: the query's substring and those
  // within 1 or 2 bits of it (at most 1 + 24 + 276 for 24-bit substrings).
  uint32_t probes[1 + 24 + 24 * 23 / 2];
  for (int j = 0; j < m && probe_radius[j] >= 0; ++j) {
    const MultiHashTable& table = tables[j];
    const int bits = table.bits;
    const uint32_t v = ExtractBits(q, table.bit_offset, bits);
    int count = 0;
    probes[count++] = v;
    for (int b1 = 0; b1 < bits && probe_radius[j] >= 1; ++b1) {
      const uint32_t v1 = v ^ (uint32_t{1} << b1);
      probes[count++] = v1;
      for (int b2 = b1 + 1; b2 < bits && probe_radius[j] >= 2; ++b2) {
        probes[count++] = v1 ^ (uint32_t{1} << b2);
      }
    }
    // The probes are independent random reads of the offset array (megabytes
    // per table): prefetch the offsets far ahead, and the bucket's ids once
    // its offset has arrived, so the misses overlap instead of queueing.
    for (int i = 0; i < count; ++i) {
      if (i + kProbeOffsetsAhead < count) {
        __builtin_prefetch(&table.offsets[probes[i + kProbeOffsetsAhead]]);
      }
      if (i + kProbeIdsAhead < count) {
        __builtin_prefetch(table.ids.data() +
                           table.offsets[probes[i + kProbeIdsAhead]]);
      }
      VerifyBucket<kHardware>(q, codes, tables.data(), probe_radius, j,
                              probes[i], max_distance, hits);
    }
  }
}

__attribute__((target("popcnt"))) void ProbeTablesPopcnt(
    const uint8_t* query, const uint8_t* codes,
    const std::vector<MultiHashTable>& tables, int max_distance, Hits& hits) {
  ProbeTables<true>(query, codes, tables, max_distance, hits);
}

void ProbeTablesPortable(const uint8_t* query, const uint8_t* codes,
                         const std::vector<MultiHashTable>& tables,
                         int max_distance, Hits& hits) {
  ProbeTables<false>(query, codes, tables, max_distance, hits);
}

// Calls visit(distance, id) for each of the n codes, in id order, computing
// the distances a block at a time.
template <typename Visit>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void ScanDistances(const uint8_t* query,
                                                       const uint8_t* codes,
                                                       size_t n,
                                                       const Visit& visit) {
  int32_t distances[kScanBlock];
  for (size_t start = 0; start < n; start += kScanBlock) {
    const size_t count = std::min(kScanBlock, n - start);
    index_internal::ComputeDistances256(query, codes + start * kCodeBytes,
                                        count, distances);
    for (size_t i = 0; i < count; ++i) {
      visit(distances[i], static_cast<faiss::IndexBinary::idx_t>(start + i));
    }
  }
}

}  // namespace

MultiHashIndex::MultiHashIndex(int d, int num_substrings)
    : faiss::IndexBinary(d) {
  FAISS_THROW_IF_NOT_FMT(d == kDimension,
                         "MultiHashIndex needs d = 256 bits, got %d", d);
  FAISS_THROW_IF_NOT_FMT(
      num_substrings >= kMinSubstrings && num_substrings <= kMaxSubstrings,
      "MultiHashIndex needs %d..%d substrings, got %d", kMinSubstrings,
      kMaxSubstrings, num_substrings);
  tables_ = MakeTables(num_substrings);
  RebuildTables();
}

MultiHashIndex::~MultiHashIndex() = default;

void MultiHashIndex::add(idx_t n, const uint8_t* x) {
  FAISS_THROW_IF_NOT_FMT(n >= 0, "add: negative count %ld", long{n});
  if (n == 0) return;
  FAISS_THROW_IF_NOT_MSG(x != nullptr, "add: null codes");
  FAISS_THROW_IF_NOT_FMT(
      n <= idx_t{std::numeric_limits<uint32_t>::max()} - ntotal,
      "add: %ld codes would exceed the 2^32 - 1 limit (holds %ld)", long{n},
      long{ntotal});
  codes_.insert(codes_.end(), x, x + size_t(n) * kCodeBytes);
  ntotal += n;
  RebuildTables();
}

void MultiHashIndex::reset() {
  codes_.clear();
  codes_.shrink_to_fit();
  ntotal = 0;
  RebuildTables();
}

size_t MultiHashIndex::remove_ids(const faiss::IDSelector& sel) {
  size_t kept = 0;
  for (idx_t i = 0; i < ntotal; ++i) {
    if (sel.is_member(i)) continue;
    if (kept != size_t(i)) {
      std::memmove(codes_.data() + kept * kCodeBytes,
                   codes_.data() + size_t(i) * kCodeBytes, kCodeBytes);
    }
    ++kept;
  }
  const size_t removed = size_t(ntotal) - kept;
  if (removed > 0) {
    codes_.resize(kept * kCodeBytes);
    ntotal = static_cast<idx_t>(kept);
    RebuildTables();
  }
  return removed;
}

void MultiHashIndex::reconstruct(idx_t key, uint8_t* recons) const {
  FAISS_THROW_IF_NOT_FMT(key >= 0 && key < ntotal,
                         "reconstruct: id %ld out of range [0, %ld)", long{key},
                         long{ntotal});
  FAISS_THROW_IF_NOT_MSG(recons != nullptr, "reconstruct: null output");
  std::memcpy(recons, codes_.data() + size_t(key) * kCodeBytes, kCodeBytes);
}

void MultiHashIndex::RebuildTables() {
  ForEachTableParallel(num_substrings(), [&](int j) {
    BuildTable(codes_.data(), size_t(ntotal), tables_[j]);
  });
}

void MultiHashIndex::CheckQueryArgs(idx_t n, const uint8_t* x) const {
  FAISS_THROW_IF_NOT_FMT(n >= 0, "search: negative query count %ld", long{n});
  FAISS_THROW_IF_NOT_MSG(n == 0 || x != nullptr, "search: null queries");
}

void MultiHashIndex::CollectWithin(const uint8_t* query, int max_distance,
                                   Hits& hits) const {
  if (max_distance < 0 || ntotal == 0) return;
  if (max_distance / num_substrings() <= kMaxProbeRadius) {
    if (index_internal::UseHardwarePopcount()) {
      ProbeTablesPopcnt(query, codes_.data(), tables_, max_distance, hits);
    } else {
      ProbeTablesPortable(query, codes_.data(), tables_, max_distance, hits);
    }
    return;
  }
  ScanDistances(query, codes_.data(), size_t(ntotal),
                [&](int32_t distance, idx_t id) {
                  if (distance <= max_distance) hits.emplace_back(distance, id);
                });
}

void MultiHashIndex::ScanNearest(const uint8_t* query, idx_t k,
                                 Hits& nearest) const {
  // Max-heap on (distance, id) of the best k so far.
  nearest.clear();
  ScanDistances(query, codes_.data(), size_t(ntotal),
                [&](int32_t distance, idx_t id) {
                  const std::pair<int32_t, idx_t> hit(distance, id);
                  if (nearest.size() < size_t(k)) {
                    nearest.push_back(hit);
                    std::push_heap(nearest.begin(), nearest.end());
                  } else if (hit < nearest.front()) {
                    std::pop_heap(nearest.begin(), nearest.end());
                    nearest.back() = hit;
                    std::push_heap(nearest.begin(), nearest.end());
                  }
                });
  std::sort_heap(nearest.begin(), nearest.end());
}

void MultiHashIndex::search(idx_t n, const uint8_t* x, idx_t k,
                            int32_t* distances, idx_t* labels,
                            const faiss::SearchParameters* params) const {
  CheckQueryArgs(n, x);
  FAISS_THROW_IF_NOT_FMT(k > 0, "search: k must be positive, got %ld", long{k});
  FAISS_THROW_IF_NOT_MSG(n == 0 || (distances != nullptr && labels != nullptr),
                         "search: null output");
  FAISS_THROW_IF_NOT_MSG(params == nullptr,
                         "search params not supported for this index");
  Hits hits;
  for (idx_t q = 0; q < n; ++q) {
    const uint8_t* query = x + size_t(q) * kCodeBytes;
    hits.clear();
    CollectWithin(query, kNearestTableDistance, hits);
    const size_t found = std::min<size_t>(size_t(k), size_t(ntotal));
    if (hits.size() >= found) {
      std::partial_sort(hits.begin(), hits.begin() + found, hits.end());
      hits.resize(found);
    } else {
      ScanNearest(query, static_cast<idx_t>(found), hits);
    }
    int32_t* out_distances = distances + size_t(q) * size_t(k);
    idx_t* out_labels = labels + size_t(q) * size_t(k);
    for (size_t i = 0; i < size_t(k); ++i) {
      out_distances[i] =
          i < found ? hits[i].first : std::numeric_limits<int32_t>::max();
      out_labels[i] = i < found ? hits[i].second : -1;
    }
  }
}

void MultiHashIndex::range_search(idx_t n, const uint8_t* x, int radius,
                                  faiss::RangeSearchResult* result,
                                  const faiss::SearchParameters* params) const {
  CheckQueryArgs(n, x);
  FAISS_THROW_IF_NOT_MSG(result != nullptr, "range_search: null result");
  FAISS_THROW_IF_NOT_FMT(result->nq == size_t(n),
                         "range_search: result sized for %zu queries, not %ld",
                         result->nq, long{n});
  FAISS_THROW_IF_NOT_MSG(params == nullptr,
                         "search params not supported for this index");
  // Distances are at most 256: larger radii need no special case.
  const int max_distance = std::min(radius, kDimension + 1) - 1;
  Hits hits;
  for (idx_t q = 0; q < n; ++q) {
    const size_t before = hits.size();
    CollectWithin(x + size_t(q) * kCodeBytes, max_distance, hits);
    result->lims[q] = hits.size() - before;
  }
  result->do_allocation();
  for (size_t i = 0; i < hits.size(); ++i) {
    result->distances[i] = static_cast<float>(hits[i].first);
    result->labels[i] = hits[i].second;
  }
}

}  // namespace clearmatch
