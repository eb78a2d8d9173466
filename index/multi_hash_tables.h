// The substring hash tables of MultiHashIndex (see index/multi_hash_index.h):
// their layout, their construction by counting sort, and the check of
// deserialized tables against the codes. Internal to index/.
#ifndef CLEARMATCH_INDEX_MULTI_HASH_TABLES_H_
#define CLEARMATCH_INDEX_MULTI_HASH_TABLES_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "index/multi_hash_index.h"

namespace clearmatch::index_internal {

// Threads that build or check the tables.
inline constexpr int kBuildThreads = 2;

// The m empty tables (bit widths and offsets set): the narrower substrings
// first (they are probed with the larger radius).
std::vector<MultiHashTable> MakeTables(int num_substrings);

// Fills `table` (offsets and ids) for the n codes (32 bytes each) by a
// counting sort on the table's substring.
void BuildTable(const uint8_t* codes, size_t n, MultiHashTable& table);

// DATA_LOSS unless `table` is the table BuildTable makes from the n codes
// (see the .cc for how, reading every array once, sequentially).
absl::Status ValidateTable(const uint8_t* codes, size_t n, int table_index,
                           const MultiHashTable& table);

// ValidateTable for every table (on kBuildThreads threads): the first error.
absl::Status ValidateTables(const uint8_t* codes, size_t n,
                            const std::vector<MultiHashTable>& tables);

// Runs fn(table_index) for every table on up to kBuildThreads threads and
// rethrows the first exception.
template <typename Fn>
void ForEachTableParallel(int num_tables, const Fn& fn) {
  const int threads = std::min(kBuildThreads, num_tables);
  std::vector<std::exception_ptr> errors(threads);
  auto work = [&](int t) {
    try {
      for (int j = t; j < num_tables; j += threads) fn(j);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < threads; ++t) helpers.emplace_back(work, t);
  work(0);
  for (std::thread& helper : helpers) helper.join();
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace clearmatch::index_internal

#endif  // CLEARMATCH_INDEX_MULTI_HASH_TABLES_H_
