// IndexBuilder: additions and removals interleaved with searches always give
// the brute-force result over the live entries; Compact keeps the content.
#include "index/index_builder.h"

#include <map>
#include <random>
#include <set>
#include <tuple>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/pdq_codes.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::BruteDistance;
using ::clearmatch::testing::FlipBits;
using ::clearmatch::testing::PdqEntry;
using ::clearmatch::testing::RandomCode;

// (query, entry_id, distance): entry refs differ between snapshots.
using HitSet = std::set<std::tuple<int, std::string, int>>;

HitSet Search(const IndexSnapshot& snapshot,
              const std::vector<PdqHash>& queries) {
  auto hits = snapshot.SearchPdq(queries, 31);
  EXPECT_TRUE(hits.ok()) << hits.status();
  HitSet out;
  for (const PdqHit& hit : *hits) {
    out.insert({hit.query, std::string(snapshot.entry(hit.entry).entry_id),
                hit.distance});
  }
  return out;
}

HitSet BruteForce(const std::map<std::string, PdqHash>& live,
                  const std::vector<PdqHash>& queries) {
  HitSet out;
  for (size_t q = 0; q < queries.size(); ++q) {
    for (const auto& [id, code] : live) {
      const int d = BruteDistance(queries[q], code);
      if (d <= 31) out.insert({int(q), id, d});
    }
  }
  return out;
}

TEST(IndexBuilderTest, AddsAndRemovalsInterleavedWithSearches) {
  std::mt19937_64 rng(11);
  std::map<std::string, PdqHash> live;  // the model: entry id -> code
  std::vector<HashEntry> initial;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = "m" + std::to_string(i);
    live[id] = RandomCode(rng);
    initial.push_back(PdqEntry(live[id], id));
  }
  IndexBuilder builder({.compact_threshold = 150});
  auto snapshot = builder.Build(std::move(initial), 1);
  ASSERT_TRUE(snapshot.ok());
  int next_id = 0;
  int compactions = 0;
  int64_t checked_hits = 0;
  for (uint64_t version = 2; version < 40; ++version) {
    std::vector<HashEntry> adds;
    for (int i = 0; i < 20; ++i) {
      const std::string id = "a" + std::to_string(next_id++);
      live[id] = RandomCode(rng);
      adds.push_back(PdqEntry(live[id], id));
    }
    // Remove some live entries (from the main and the delta layer) and one
    // key that does not exist.
    std::vector<EntryKey> removes = {{"feed", "no-such-entry"}};
    for (int i = 0; i < 15 && !live.empty(); ++i) {
      auto it = live.begin();
      std::advance(it, rng() % live.size());
      removes.push_back({"feed", it->first});
      live.erase(it);
    }
    // An add and a removal of the same key in one Apply: removal first.
    for (const EntryKey& key : removes) {
      std::erase_if(
          adds, [&](const HashEntry& e) { return e.entry_id == key.entry_id; });
    }
    snapshot = builder.Apply(**snapshot, std::move(adds), removes, version);
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    if (builder.ShouldCompact(**snapshot)) {
      snapshot = builder.Compact(**snapshot);
      ASSERT_TRUE(snapshot.ok());
      EXPECT_EQ((*snapshot)->delta_size(), 0);
      EXPECT_EQ((*snapshot)->removed_size(), 0);
      ++compactions;
    }
    EXPECT_EQ((*snapshot)->version(), version);
    ASSERT_EQ((*snapshot)->size(), static_cast<int64_t>(live.size()));

    // Queries near live codes, near removed ones, and random.
    std::vector<PdqHash> queries;
    for (int i = 0; i < 30; ++i) {
      auto it = live.begin();
      std::advance(it, rng() % live.size());
      queries.push_back(FlipBits(it->second, rng() % 36, rng));
    }
    for (const EntryKey& key : removes) {
      (void)key;
      queries.push_back(RandomCode(rng));
    }
    const HitSet expected = BruteForce(live, queries);
    EXPECT_EQ(Search(**snapshot, queries), expected) << "version " << version;
    checked_hits += static_cast<int64_t>(expected.size());
  }
  EXPECT_GT(compactions, 0);
  EXPECT_GT(checked_hits, 100);
}

TEST(IndexBuilderTest, RemovedCodeIsNotFoundAndReAddReplaces) {
  std::mt19937_64 rng(12);
  const PdqHash code = RandomCode(rng);
  IndexBuilder builder({});
  auto v1 = builder.Build({PdqEntry(code, "x")}, 1);
  ASSERT_TRUE(v1.ok());
  auto v2 = builder.Apply(**v1, {}, {{"feed", "x"}}, 2);
  ASSERT_TRUE(v2.ok());
  EXPECT_TRUE((*v2)->SearchPdq({code}, 0)->empty());
  EXPECT_EQ((*v1)->SearchPdq({code}, 0)->size(), 1u);  // old one unchanged
  // A key from another feed is another entry.
  auto v3 = builder.Apply(**v1, {}, {{"other-feed", "x"}}, 3);
  ASSERT_TRUE(v3.ok());
  EXPECT_EQ((*v3)->SearchPdq({code}, 0)->size(), 1u);
  // Remove + add of one key in one Apply: the new entry stays.
  HashEntry replacement = PdqEntry(code, "x", "new-bank");
  auto v4 = builder.Apply(**v1, {replacement}, {{"feed", "x"}}, 4);
  ASSERT_TRUE(v4.ok());
  auto hits = (*v4)->SearchPdq({code}, 0);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*v4)->entry((*hits)[0].entry).bank, "new-bank");
}

TEST(IndexBuilderTest, RemovalsAndAdditionsCoverExactHashes) {
  HashEntry md5;
  md5.type = HashType::kMd5;
  md5.digest = std::string(16, '\x5a');
  md5.entry_id = "img";
  md5.source_feed = "feed";
  IndexBuilder builder({});
  auto v1 = builder.Build({}, 1);
  ASSERT_TRUE(v1.ok());
  auto v2 = builder.Apply(**v1, {md5}, {}, 2);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ((*v2)->LookupExact(HashType::kMd5, md5.digest)->size(), 1u);
  auto v3 = builder.Compact(**v2);
  ASSERT_TRUE(v3.ok());
  EXPECT_EQ((*v3)->LookupExact(HashType::kMd5, md5.digest)->size(), 1u);
  auto v4 = builder.Apply(**v3, {}, {{"feed", "img"}}, 4);
  ASSERT_TRUE(v4.ok());
  EXPECT_TRUE((*v4)->LookupExact(HashType::kMd5, md5.digest)->empty());
}

TEST(IndexBuilderTest, RefusesOlderVersionAndInvalidAdditions) {
  IndexBuilder builder({});
  auto v5 = builder.Build({}, 5);
  ASSERT_TRUE(v5.ok());
  EXPECT_EQ(builder.Apply(**v5, {}, {}, 4).status().code(),
            absl::StatusCode::kFailedPrecondition);
  HashEntry bad;
  bad.type = HashType::kSha1;
  bad.digest = "short";
  bad.entry_id = "bad";
  EXPECT_EQ(builder.Apply(**v5, {bad}, {}, 6).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace clearmatch
