// IndexHolder: 4 readers search while one writer publishes 50 snapshots;
// every snapshot a reader sees is whole and matches its version.
//
// Under ThreadSanitizer (configure with -DCLEARMATCH_TSAN=ON, build and run
// index_holder_test): every thread here runs FAISS with one OpenMP thread,
// because libgomp is not instrumented and TSAN would report FAISS's own
// parallel regions (a reader and its OpenMP workers) as races.
#include "index/index_holder.h"

#include <omp.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "index/index_builder.h"
#include "testing/pdq_codes.h"

namespace clearmatch {
namespace {

constexpr int kEntriesPerVersion = 64;

// The code of entry i of version v: distinct per (v, i), far apart.
PdqHash CodeFor(uint64_t version, int i) {
  std::mt19937_64 rng(version * 1000 + static_cast<uint64_t>(i));
  return testing::RandomCode(rng);
}

std::vector<HashEntry> EntriesFor(uint64_t version) {
  std::vector<HashEntry> entries;
  for (int i = 0; i < kEntriesPerVersion; ++i) {
    entries.push_back(testing::PdqEntry(CodeFor(version, i),
                                        absl::StrCat("v", version, "-", i),
                                        std::to_string(version)));
  }
  return entries;
}

std::vector<EntryKey> KeysFor(uint64_t version) {
  std::vector<EntryKey> keys;
  for (const HashEntry& e : EntriesFor(version)) {
    keys.push_back({e.source_feed, e.entry_id});
  }
  return keys;
}

// Empty if `snapshot` is consistent with its version, else what is wrong.
std::string CheckSnapshot(const IndexSnapshot& snapshot) {
  const uint64_t version = snapshot.version();
  const std::string bank = std::to_string(version);
  if (snapshot.size() != kEntriesPerVersion) return "wrong size";
  std::string problem;
  snapshot.ForEachEntry([&](EntryRef, const EntryView& entry) {
    if (entry.bank != bank) problem = "entry of another version";
  });
  if (!problem.empty()) return problem;
  const int probe = static_cast<int>(version % kEntriesPerVersion);
  auto hits = snapshot.SearchPdq({CodeFor(version, probe)}, 0);
  if (!hits.ok()) return std::string(hits.status().message());
  if (hits->size() != 1) return "probe found " + std::to_string(hits->size());
  const EntryView hit = snapshot.entry((*hits)[0].entry);
  if (hit.entry_id != "v" + bank + "-" + std::to_string(probe)) {
    return "probe hit " + std::string(hit.entry_id);
  }
  return "";
}

TEST(IndexHolderTest, EmptyUntilFirstSwapAndRefusesNullOrOlder) {
  IndexHolder holder;
  EXPECT_EQ(holder.Current(), nullptr);
  EXPECT_EQ(holder.Swap(nullptr).code(), absl::StatusCode::kInvalidArgument);
  IndexBuilder builder({});
  auto v2 = builder.Build({}, 2);
  auto v1 = builder.Build({}, 1);
  ASSERT_TRUE(v2.ok() && v1.ok());
  ASSERT_TRUE(holder.Swap(*v2).ok());
  EXPECT_EQ(holder.Swap(*v1).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(holder.Current()->version(), 2u);
}

TEST(IndexHolderTest, ConcurrentReadersSeeWholeSnapshotsDuringSwaps) {
  constexpr int kReaders = 4;
  constexpr uint64_t kVersions = 50;
  omp_set_num_threads(1);
  IndexBuilder builder({.compact_threshold = 100});
  IndexHolder holder;
  auto first = builder.Build(EntriesFor(1), 1);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(holder.Swap(*first).ok());

  std::atomic<bool> writer_done{false};
  std::atomic<int> failures{0};
  std::atomic<int64_t> reads{0};
  std::vector<std::string> first_problem(kReaders);
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      omp_set_num_threads(1);
      uint64_t last_version = 0;
      // At least 20 reads each, then until the writer is done.
      for (int i = 0; i < 20 || !writer_done.load(); ++i) {
        std::shared_ptr<const IndexSnapshot> snapshot = holder.Current();
        std::string problem =
            snapshot == nullptr ? "null snapshot" : CheckSnapshot(*snapshot);
        if (problem.empty() && snapshot->version() < last_version) {
          problem = "version went backwards";
        }
        if (!problem.empty()) {
          if (failures.fetch_add(1) == 0) first_problem[r] = problem;
        } else {
          last_version = snapshot->version();
        }
        reads.fetch_add(1);
      }
    });
  }
  // The writer: each version replaces every entry (Apply: removals of the
  // previous version's keys + additions), compacting now and then.
  std::shared_ptr<const IndexSnapshot> current = *first;
  for (uint64_t version = 2; version <= kVersions; ++version) {
    // No ASSERT here: the readers must be joined whatever happens.
    auto next = builder.Apply(*current, EntriesFor(version),
                              KeysFor(version - 1), version);
    if (!next.ok()) {
      ADD_FAILURE() << next.status();
      break;
    }
    current = *next;
    if (builder.ShouldCompact(*current)) {
      auto compacted = builder.Compact(*current);
      if (!compacted.ok()) {
        ADD_FAILURE() << compacted.status();
        break;
      }
      current = *compacted;
    }
    EXPECT_TRUE(holder.Swap(current).ok());
  }
  writer_done.store(true);
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0) << first_problem[0] << first_problem[1]
                                << first_problem[2] << first_problem[3];
  EXPECT_GE(reads.load(), kReaders * 20);
  EXPECT_EQ(holder.Current()->version(), kVersions);
  EXPECT_EQ(CheckSnapshot(*holder.Current()), "");
}

}  // namespace
}  // namespace clearmatch
