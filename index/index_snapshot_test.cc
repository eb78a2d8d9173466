// IndexSnapshot: PDQ search equals brute force at every distance 0..47,
// the inclusive boundary, exact-hash lookups and video frame search.
#include "index/index_snapshot.h"

#include <random>
#include <set>
#include <tuple>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/index_builder.h"
#include "testing/pdq_codes.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::BruteDistance;
using ::clearmatch::testing::ClusteredCodes;
using ::clearmatch::testing::FlipBits;
using ::clearmatch::testing::PdqEntry;
using ::clearmatch::testing::RandomCode;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

using HitSet = std::set<std::tuple<int, EntryRef, int>>;

void ExpectSameAsBruteForce(const std::vector<PdqHash>& codes,
                            const std::vector<PdqHash>& queries) {
  std::vector<HashEntry> entries;
  for (size_t i = 0; i < codes.size(); ++i) {
    entries.push_back(PdqEntry(codes[i], "e" + std::to_string(i)));
  }
  IndexBuilder builder({});
  auto snapshot = builder.Build(std::move(entries), 7);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  std::vector<std::tuple<int, EntryRef, int>> near;  // within the largest
  for (size_t q = 0; q < queries.size(); ++q) {
    for (size_t e = 0; e < codes.size(); ++e) {
      const int d = BruteDistance(queries[q], codes[e]);
      if (d <= IndexSnapshot::kMaxSearchDistance) {
        near.emplace_back(int(q), EntryRef(e), d);
      }
    }
  }
  int64_t total_hits = 0;
  for (int max_distance = 0; max_distance <= IndexSnapshot::kMaxSearchDistance;
       ++max_distance) {
    HitSet expected;
    for (const auto& hit : near) {
      if (std::get<2>(hit) <= max_distance) expected.insert(hit);
    }
    auto hits = (*snapshot)->SearchPdq(queries, max_distance);
    ASSERT_TRUE(hits.ok()) << hits.status();
    HitSet actual;
    for (const PdqHit& hit : *hits) {
      actual.insert({hit.query, hit.entry, hit.distance});
    }
    EXPECT_EQ(actual.size(), hits->size()) << "duplicate hits";
    EXPECT_EQ(actual, expected) << "max distance " << max_distance;
    total_hits += static_cast<int64_t>(expected.size());
  }
  EXPECT_GT(total_hits, 0);  // the data exercises the comparison
}

// Queries 0..48 bits from stored codes, plus unrelated random ones.
std::vector<PdqHash> NearQueries(const std::vector<PdqHash>& codes, int count,
                                 std::mt19937_64& rng) {
  std::vector<PdqHash> queries;
  for (int i = 0; i < count; ++i) {
    queries.push_back(FlipBits(codes[rng() % codes.size()], i % 49, rng));
  }
  for (int i = 0; i < 10; ++i) queries.push_back(RandomCode(rng));
  return queries;
}

// 3000 codes: NewPdqIndex serves them with IndexBinaryFlat; 6000 clustered
// codes: with MultiHashIndex (above its crossover). Both must be exact.
TEST(IndexSnapshotTest, RandomCodesMatchBruteForceAtEveryDistance) {
  std::mt19937_64 rng(1);
  std::vector<PdqHash> codes;
  for (int i = 0; i < 3000; ++i) codes.push_back(RandomCode(rng));
  ExpectSameAsBruteForce(codes, NearQueries(codes, 120, rng));
}

TEST(IndexSnapshotTest, ClusteredCodesMatchBruteForceAtEveryDistance) {
  std::mt19937_64 rng(2);
  const std::vector<PdqHash> codes = ClusteredCodes(6000, 20, 40, rng);
  ExpectSameAsBruteForce(codes, NearQueries(codes, 120, rng));
}

TEST(IndexSnapshotTest, DistanceIsInclusive31FoundAnd32Not) {
  std::mt19937_64 rng(3);
  const PdqHash stored = RandomCode(rng);
  IndexBuilder builder({});
  auto snapshot = builder.Build({PdqEntry(stored, "only")}, 1);
  ASSERT_TRUE(snapshot.ok());
  const PdqHash at31 = FlipBits(stored, 31, rng);
  const PdqHash at32 = FlipBits(stored, 32, rng);
  ASSERT_EQ(BruteDistance(stored, at31), 31);
  ASSERT_EQ(BruteDistance(stored, at32), 32);
  auto hits = (*snapshot)->SearchPdq({at32, at31}, 31);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].query, 1);
  EXPECT_EQ((*hits)[0].distance, 31);
  EXPECT_EQ((*snapshot)->entry((*hits)[0].entry).entry_id, "only");

  const PdqHash at5 = FlipBits(stored, 5, rng);
  EXPECT_THAT(*(*snapshot)->SearchPdq({at5}, 4), IsEmpty());
  EXPECT_EQ((*snapshot)->SearchPdq({at5}, 5)->size(), 1u);
}

TEST(IndexSnapshotTest, RejectsDistanceOutsideRange) {
  IndexBuilder builder({});
  auto snapshot = builder.Build({}, 1);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ((*snapshot)->SearchPdq({PdqHash()}, 48).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*snapshot)->SearchPdq({PdqHash()}, -1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(*(*snapshot)->SearchPdq({PdqHash()}, 31), IsEmpty());
  EXPECT_THAT(*(*snapshot)->SearchPdq({PdqHash()}, 47), IsEmpty());
}

// A review band above the match threshold: 40 bits away is found at 40
// (and through the video frame search too), not at 39.
TEST(IndexSnapshotTest, SearchesAReviewBandAbove31) {
  std::mt19937_64 rng(4);
  const PdqHash stored = RandomCode(rng);
  auto snapshot = IndexBuilder({}).Build({PdqEntry(stored, "only")}, 1);
  ASSERT_TRUE(snapshot.ok());
  const PdqHash at40 = FlipBits(stored, 40, rng);
  ASSERT_EQ(BruteDistance(stored, at40), 40);
  EXPECT_THAT(*(*snapshot)->SearchPdq({at40}, 39), IsEmpty());
  auto hits = (*snapshot)->SearchPdq({at40}, 40);
  ASSERT_TRUE(hits.ok()) << hits.status();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].distance, 40);
}

HashEntry DigestEntry(HashType type, std::string digest, std::string id) {
  HashEntry entry;
  entry.type = type;
  entry.digest = std::move(digest);
  entry.entry_id = std::move(id);
  entry.bank = "b";
  return entry;
}

TEST(IndexSnapshotTest, ExactLookupByTypeAndDigest) {
  const std::string md5(16, '\x11');
  const std::string sha1(20, '\x22');
  const std::string sha256(32, '\x33');
  IndexBuilder builder({});
  auto snapshot = builder.Build({DigestEntry(HashType::kMd5, md5, "m1"),
                                 DigestEntry(HashType::kSha1, sha1, "s1"),
                                 DigestEntry(HashType::kSha256, sha256, "s256"),
                                 DigestEntry(HashType::kMd5, md5, "m2")},
                                1);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const IndexSnapshot& s = **snapshot;
  EXPECT_THAT(*s.LookupExact(HashType::kMd5, md5), ElementsAre(0, 3));
  EXPECT_THAT(*s.LookupExact(HashType::kSha1, sha1), ElementsAre(1));
  EXPECT_THAT(*s.LookupExact(HashType::kSha256, sha256), ElementsAre(2));
  EXPECT_THAT(*s.LookupExact(HashType::kSha256, std::string(32, '\x34')),
              IsEmpty());
  // Same bytes under another type are another hash.
  EXPECT_THAT(*s.LookupExact(HashType::kSha256, std::string(32, '\x11')),
              IsEmpty());
  EXPECT_EQ(s.LookupExact(HashType::kMd5, sha1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.LookupExact(HashType::kPdq, sha256).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(IndexSnapshotTest, RejectsInvalidEntries) {
  IndexBuilder builder({});
  auto bad_digest = builder.Build({DigestEntry(HashType::kMd5, "abc", "x")}, 1);
  EXPECT_EQ(bad_digest.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad_digest.status().message()),
              ::testing::HasSubstr("'x'"));
  HashEntry video;
  video.type = HashType::kVpdq;
  video.entry_id = "v";
  EXPECT_EQ(builder.Build({video}, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(builder.Build({PdqEntry(PdqHash(), "")}, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(IndexSnapshotTest, VideoFramesAreSearchedSeparatelyFromImages) {
  std::mt19937_64 rng(4);
  HashEntry video;
  video.type = HashType::kVpdq;
  video.entry_id = "video";
  for (int f = 0; f < 5; ++f) {
    video.frames.push_back({RandomCode(rng), f * 30, f * 1.0});
  }
  const PdqHash image = RandomCode(rng);
  IndexBuilder builder({});
  auto snapshot = builder.Build({PdqEntry(image, "image"), video}, 1);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const PdqHash query = FlipBits(video.frames[3].hash, 10, rng);
  auto frame_hits = (*snapshot)->SearchVideoFrames({image, query}, 31);
  ASSERT_TRUE(frame_hits.ok());
  ASSERT_EQ(frame_hits->size(), 1u);
  EXPECT_EQ((*frame_hits)[0].query, 1);
  EXPECT_EQ((*frame_hits)[0].frame, 3);
  EXPECT_EQ((*frame_hits)[0].distance, 10);
  EXPECT_EQ((*snapshot)->entry((*frame_hits)[0].entry).entry_id, "video");
  // Frames are not image entries and vice versa.
  EXPECT_THAT(*(*snapshot)->SearchPdq({query}, 31), IsEmpty());
}

// Entries of every type with varied (often repeated) labels.
std::vector<HashEntry> MixedEntries(int count, std::mt19937_64& rng) {
  const char* const banks[] = {"stopncii", "tid", "b"};
  const char* const categories[] = {"", "cat-a", "cat-b"};
  std::vector<HashEntry> entries;
  for (int i = 0; i < count; ++i) {
    HashEntry e;
    e.type = static_cast<HashType>(rng() % 5);
    e.entry_id = "id-" + std::to_string(rng() % 1000) + "-" + std::to_string(i);
    e.bank = banks[rng() % 3];
    e.category = categories[rng() % 3];
    e.source_feed = i % 4 == 0 ? "" : "feed-" + std::to_string(i % 3);
    e.added_at = 1700000000 + static_cast<int64_t>(rng() % 100000) - 50000;
    switch (e.type) {
      case HashType::kPdq:
        e.pdq = RandomCode(rng);
        break;
      case HashType::kMd5:
      case HashType::kSha1:
      case HashType::kSha256:
        // Few distinct digests, so that lookups find several entries.
        e.digest = std::string(DigestLength(e.type),
                               static_cast<char>('a' + rng() % 4));
        e.digest[0] = static_cast<char>(rng() % 3);
        break;
      case HashType::kVpdq:
        for (int f = 0, n = 1 + static_cast<int>(rng() % 6); f < n; ++f) {
          e.frames.push_back(
              {RandomCode(rng), f * 15 + static_cast<int>(i), f * 0.5 + i});
        }
        break;
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

void ExpectSameEntry(const EntryView& view, const HashEntry& want) {
  SCOPED_TRACE(want.entry_id);
  EXPECT_EQ(view.type, want.type);
  EXPECT_EQ(view.entry_id, want.entry_id);
  EXPECT_EQ(view.bank, want.bank);
  EXPECT_EQ(view.category, want.category);
  EXPECT_EQ(view.source_feed, want.source_feed);
  EXPECT_EQ(view.added_at, want.added_at);
  if (want.type == HashType::kPdq) {
    EXPECT_EQ(view.pdq, want.pdq);
  }
  EXPECT_EQ(view.digest, want.digest);
  ASSERT_EQ(view.frames.size(), want.frames.size());
  for (size_t f = 0; f < want.frames.size(); ++f) {
    EXPECT_EQ(view.frames[f].hash, want.frames[f].hash);
    EXPECT_EQ(view.frames[f].frame_number, want.frames[f].frame_number);
    EXPECT_EQ(view.frames[f].seconds, want.frames[f].seconds);
  }
  const HashEntry copy = view.ToHashEntry();
  EXPECT_EQ(copy.entry_id, want.entry_id);
  EXPECT_EQ(copy.source_feed, want.source_feed);
  EXPECT_EQ(copy.digest, want.digest);
  EXPECT_EQ(copy.frames.size(), want.frames.size());
}

// The compact entry columns give back every field as it was given, in both
// layers, and the digest lookups and frame hits equal a scan of the input.
TEST(IndexSnapshotTest, EntriesOfEveryTypeReadBackAsGiven) {
  std::mt19937_64 rng(9);
  const std::vector<HashEntry> main_entries = MixedEntries(600, rng);
  const std::vector<HashEntry> additions = MixedEntries(80, rng);
  IndexBuilder builder({});
  auto main = builder.Build(main_entries, 1);
  ASSERT_TRUE(main.ok()) << main.status();
  auto snapshot = builder.Apply(**main, additions, {}, 2);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const IndexSnapshot& s = **snapshot;
  std::vector<HashEntry> all = main_entries;
  all.insert(all.end(), additions.begin(), additions.end());
  ASSERT_EQ(s.size(), static_cast<int64_t>(all.size()));

  EntryRef next = 0;
  s.ForEachEntry([&](EntryRef ref, const EntryView& view) {
    EXPECT_EQ(ref, next++);
    ExpectSameEntry(view, all[ref]);
    ExpectSameEntry(s.entry(ref), all[ref]);
  });
  EXPECT_EQ(next, s.size());

  int found = 0;
  for (HashType type : {HashType::kMd5, HashType::kSha1, HashType::kSha256}) {
    for (const HashEntry& probe : all) {
      if (probe.type != type) continue;
      std::vector<EntryRef> want;
      for (size_t i = 0; i < all.size(); ++i) {
        if (all[i].type == type && all[i].digest == probe.digest) {
          want.push_back(static_cast<EntryRef>(i));
        }
      }
      auto refs = s.LookupExact(type, probe.digest);
      ASSERT_TRUE(refs.ok()) << refs.status();
      EXPECT_EQ(*refs, want) << HashTypeName(type);
      found += static_cast<int>(refs->size());
    }
  }
  EXPECT_GT(found, 200);

  // Every frame of every video, queried exactly, hits that video and frame.
  int videos = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].type != HashType::kVpdq) continue;
    ++videos;
    std::vector<PdqHash> queries;
    for (const VpdqFrame& frame : all[i].frames) queries.push_back(frame.hash);
    auto hits = s.SearchVideoFrames(queries, 0);
    ASSERT_TRUE(hits.ok()) << hits.status();
    ASSERT_EQ(hits->size(), queries.size());
    for (const FrameHit& hit : *hits) {
      EXPECT_EQ(hit.entry, static_cast<EntryRef>(i));
      EXPECT_EQ(hit.frame, hit.query);
      EXPECT_EQ(hit.distance, 0);
    }
  }
  EXPECT_GT(videos, 50);
}

}  // namespace
}  // namespace clearmatch
