#include "index/multi_hash_tables.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "index/hamming_kernels.h"

namespace clearmatch::index_internal {
namespace {

constexpr int kCodeBytes = MultiHashIndex::kCodeBytes;

// A bijective 64-bit mix (the splitmix64 finalizer).
uint64_t Mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::vector<MultiHashTable> MakeTables(int num_substrings) {
  std::vector<MultiHashTable> tables(num_substrings);
  const int narrow = MultiHashIndex::kDimension / num_substrings;
  const int wide_count = MultiHashIndex::kDimension % num_substrings;
  int offset = 0;
  for (int i = 0; i < num_substrings; ++i) {
    tables[i].bit_offset = offset;
    tables[i].bits = i < num_substrings - wide_count ? narrow : narrow + 1;
    offset += tables[i].bits;
  }
  return tables;
}

void BuildTable(const uint8_t* codes, size_t n, MultiHashTable& table) {
  std::vector<uint32_t> offsets((size_t{1} << table.bits) + 1, 0);
  for (size_t id = 0; id < n; ++id) {
    const Code256 c = LoadCode256(codes + kCodeBytes * id);
    ++offsets[ExtractBits(c, table.bit_offset, table.bits) + 1];
  }
  for (size_t v = 1; v < offsets.size(); ++v) offsets[v] += offsets[v - 1];
  std::vector<uint32_t> next(offsets.begin(), offsets.end() - 1);
  std::vector<uint32_t> ids(n);
  for (size_t id = 0; id < n; ++id) {
    const Code256 c = LoadCode256(codes + kCodeBytes * id);
    ids[next[ExtractBits(c, table.bit_offset, table.bits)]++] =
        static_cast<uint32_t>(id);
  }
  table.offsets = std::move(offsets);
  table.ids = std::move(ids);
}

// Checks that `table` is the CSR table BuildTable makes from codes, reading
// every array sequentially (random probes into 1 GB would take seconds):
// offsets run from 0 to n without decreasing, ids are below n and ascending
// within a bucket, and the multiset of (bucket, id) pairs equals that of
// (substring value of code[id], id), compared through a sum of a bijective
// mix of each pair. Memory safety never depends on the sum; any single
// change (a flipped code bit, id or offset) always changes it, and other
// corruption passes with probability about 2^-64 (snapshot files carry their
// own checksum besides).
absl::Status ValidateTable(const uint8_t* codes, size_t n, int table_index,
                           const MultiHashTable& table) {
  const std::vector<uint32_t>& offsets = table.offsets;
  if (offsets.front() != 0 || offsets.back() != n) {
    return absl::DataLossError(absl::StrCat(
        "multi-hash table ", table_index, " covers ids ", offsets.front(), "..",
        offsets.back(), " but the index holds ", n, " codes"));
  }
  uint64_t table_sum = 0;
  for (size_t v = 0; v + 1 < offsets.size(); ++v) {
    // Monotonic and within the ids at every step, not only at the ends: a
    // middle offset past n would send the loop below beyond the ids.
    if (offsets[v] > offsets[v + 1] || offsets[v + 1] > n) {
      return absl::DataLossError(absl::StrCat(
          "multi-hash table ", table_index, " bucket ", v, " has an offset ",
          offsets[v + 1], " decreasing or past ", n));
    }
    for (uint32_t slot = offsets[v]; slot < offsets[v + 1]; ++slot) {
      const uint32_t id = table.ids[slot];
      if (id >= n || (slot > offsets[v] && table.ids[slot - 1] >= id)) {
        return absl::DataLossError(
            absl::StrCat("multi-hash table ", table_index, " bucket ", v,
                         " holds id ", id, " out of range or order"));
      }
      table_sum += Mix64(uint64_t{v} << 32 | id);
    }
  }
  uint64_t code_sum = 0;
  for (size_t id = 0; id < n; ++id) {
    const uint64_t v = ExtractBits(LoadCode256(codes + kCodeBytes * id),
                                   table.bit_offset, table.bits);
    code_sum += Mix64(v << 32 | id);
  }
  if (table_sum != code_sum) {
    return absl::DataLossError(
        absl::StrCat("multi-hash table ", table_index,
                     " does not match the codes (an id is in a wrong bucket)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateTables(const uint8_t* codes, size_t n,
                            const std::vector<MultiHashTable>& tables) {
  const int m = static_cast<int>(tables.size());
  std::vector<absl::Status> errors(m);
  ForEachTableParallel(
      m, [&](int j) { errors[j] = ValidateTable(codes, n, j, tables[j]); });
  for (const absl::Status& error : errors) {
    if (!error.ok()) return error;
  }
  return absl::OkStatus();
}

}  // namespace clearmatch::index_internal
