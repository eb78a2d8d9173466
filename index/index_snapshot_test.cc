// IndexSnapshot: PDQ search equals brute force at every distance 0..31,
// the inclusive boundary, exact-hash lookups and video frame search.
#include "index/index_snapshot.h"

#include <random>
#include <set>
#include <tuple>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/index_builder.h"
#include "index/index_test_util.h"

namespace clearmatch {
namespace {

using index_test::BruteDistance;
using index_test::ClusteredCodes;
using index_test::FlipBits;
using index_test::PdqEntry;
using index_test::RandomCode;
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
  int64_t total_hits = 0;
  for (int max_distance = 0; max_distance <= 31; ++max_distance) {
    HitSet expected;
    for (size_t q = 0; q < queries.size(); ++q) {
      for (size_t e = 0; e < codes.size(); ++e) {
        const int d = BruteDistance(queries[q], codes[e]);
        if (d <= max_distance) expected.insert({int(q), EntryRef(e), d});
      }
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

// Queries 0..40 bits from stored codes, plus unrelated random ones.
std::vector<PdqHash> NearQueries(const std::vector<PdqHash>& codes, int count,
                                 std::mt19937_64& rng) {
  std::vector<PdqHash> queries;
  for (int i = 0; i < count; ++i) {
    queries.push_back(FlipBits(codes[rng() % codes.size()], i % 41, rng));
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
  EXPECT_EQ((*snapshot)->SearchPdq({PdqHash()}, 32).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*snapshot)->SearchPdq({PdqHash()}, -1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(*(*snapshot)->SearchPdq({PdqHash()}, 31), IsEmpty());
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

}  // namespace
}  // namespace clearmatch
