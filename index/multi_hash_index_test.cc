// Exactness tests of MultiHashIndex against FAISS IndexBinaryFlat (the
// oracle) and a plain brute force, plus persistence and bad input.
#include "index/multi_hash_index.h"

#include <faiss/IndexBinaryFlat.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/hamming_kernels.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using idx_t = faiss::IndexBinary::idx_t;
// (id, distance) pairs of one query, sorted.
using Matches = std::vector<std::pair<idx_t, int>>;

constexpr int kBytes = 32;

std::vector<uint8_t> RandomCodes(size_t n, std::mt19937_64& rng) {
  std::vector<uint8_t> codes(n * kBytes);
  for (size_t i = 0; i < codes.size(); i += 8) {
    const uint64_t word = rng();
    std::memcpy(codes.data() + i, &word, 8);
  }
  return codes;
}

// Flips `count` distinct random bits of a 32-byte code.
void FlipBits(uint8_t* code, int count, std::mt19937_64& rng) {
  std::vector<int> bits(256);
  for (int i = 0; i < 256; ++i) bits[i] = i;
  std::shuffle(bits.begin(), bits.end(), rng);
  for (int i = 0; i < count; ++i) code[bits[i] / 8] ^= 1 << (bits[i] % 8);
}

// `centres` random centres; every code is a centre with 0..max_flip bits
// flipped.
std::vector<uint8_t> ClusteredCodes(size_t n, int centres, int max_flip,
                                    std::mt19937_64& rng) {
  const std::vector<uint8_t> centre_codes = RandomCodes(centres, rng);
  std::vector<uint8_t> codes(n * kBytes);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = rng() % centres;
    std::memcpy(&codes[i * kBytes], &centre_codes[c * kBytes], kBytes);
    FlipBits(&codes[i * kBytes], static_cast<int>(rng() % (max_flip + 1)), rng);
  }
  return codes;
}

// Queries: half are stored codes with 0..40 bits flipped, half random.
std::vector<uint8_t> MakeQueries(const std::vector<uint8_t>& codes, size_t n,
                                 std::mt19937_64& rng) {
  std::vector<uint8_t> queries = RandomCodes(n, rng);
  const size_t stored = codes.size() / kBytes;
  for (size_t q = 0; q < n; q += 2) {
    std::memcpy(&queries[q * kBytes], &codes[(rng() % stored) * kBytes],
                kBytes);
    FlipBits(&queries[q * kBytes], static_cast<int>(rng() % 41), rng);
  }
  return queries;
}

int BruteDistance(const uint8_t* a, const uint8_t* b) {
  int d = 0;
  for (int i = 0; i < kBytes; ++i) d += std::popcount(uint8_t(a[i] ^ b[i]));
  return d;
}

std::vector<Matches> RangeSearch(const faiss::IndexBinary& index,
                                 const std::vector<uint8_t>& queries,
                                 int radius) {
  const idx_t nq = static_cast<idx_t>(queries.size() / kBytes);
  faiss::RangeSearchResult result(nq);
  index.range_search(nq, queries.data(), radius, &result);
  std::vector<Matches> out(nq);
  for (idx_t q = 0; q < nq; ++q) {
    for (size_t i = result.lims[q]; i < result.lims[q + 1]; ++i) {
      out[q].emplace_back(result.labels[i],
                          static_cast<int>(result.distances[i]));
    }
    std::sort(out[q].begin(), out[q].end());
  }
  return out;
}

// Range results of `index` equal those of a flat index over the same codes.
void ExpectRangeEqualsFlat(const MultiHashIndex& index,
                           const std::vector<uint8_t>& codes,
                           const std::vector<uint8_t>& queries, int radius) {
  faiss::IndexBinaryFlat flat(256);
  flat.add(static_cast<idx_t>(codes.size() / kBytes), codes.data());
  const std::vector<Matches> expected = RangeSearch(flat, queries, radius);
  const std::vector<Matches> actual = RangeSearch(index, queries, radius);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t q = 0; q < expected.size(); ++q) {
    ASSERT_EQ(actual[q], expected[q]) << "query " << q << " radius " << radius;
  }
}

class MultiHashIndexExactTest : public ::testing::TestWithParam<int> {};

TEST_P(MultiHashIndexExactTest, RangeSearchEqualsFlatOnRandomCodes) {
  std::mt19937_64 rng(1);
  const std::vector<uint8_t> codes = RandomCodes(20000, rng);
  const std::vector<uint8_t> queries = MakeQueries(codes, 200, rng);
  MultiHashIndex index(256, GetParam());
  index.add(20000, codes.data());
  for (int radius = 0; radius <= 33; ++radius) {
    ExpectRangeEqualsFlat(index, codes, queries, radius);
  }
}

TEST_P(MultiHashIndexExactTest, RangeSearchEqualsFlatOnClusteredCodes) {
  std::mt19937_64 rng(2);
  const std::vector<uint8_t> codes = ClusteredCodes(20000, 200, 40, rng);
  const std::vector<uint8_t> queries = MakeQueries(codes, 200, rng);
  MultiHashIndex index(256, GetParam());
  index.add(20000, codes.data());
  size_t total_matches = 0;
  for (int radius = 0; radius <= 33; ++radius) {
    ExpectRangeEqualsFlat(index, codes, queries, radius);
    for (const Matches& m : RangeSearch(index, queries, radius)) {
      total_matches += m.size();
    }
  }
  // The clustered data must exercise many matches, not only empty results.
  EXPECT_GT(total_matches, 10000u);
}

INSTANTIATE_TEST_SUITE_P(Substrings, MultiHashIndexExactTest,
                         ::testing::Values(11, 12, 16, 32));

TEST(MultiHashIndexTest, BoundaryDistance31FoundWithRadius32Only) {
  std::mt19937_64 rng(3);
  const std::vector<uint8_t> query = RandomCodes(1, rng);
  std::vector<uint8_t> codes;
  for (int distance : {0, 1, 30, 31, 32, 33}) {
    std::vector<uint8_t> code = query;
    FlipBits(code.data(), distance, rng);
    ASSERT_EQ(BruteDistance(code.data(), query.data()), distance);
    codes.insert(codes.end(), code.begin(), code.end());
  }
  MultiHashIndex index;
  index.add(6, codes.data());
  EXPECT_EQ(RangeSearch(index, query, 32)[0],
            (Matches{{0, 0}, {1, 1}, {2, 30}, {3, 31}}));
  EXPECT_EQ(RangeSearch(index, query, 31)[0],
            (Matches{{0, 0}, {1, 1}, {2, 30}}));
  EXPECT_EQ(RangeSearch(index, query, 33)[0],
            (Matches{{0, 0}, {1, 1}, {2, 30}, {3, 31}, {4, 32}}));
  EXPECT_THAT(RangeSearch(index, query, 0)[0], IsEmpty());
  EXPECT_EQ(RangeSearch(index, query, 1)[0], (Matches{{0, 0}}));
}

TEST(MultiHashIndexTest, PortableKernelsGiveTheSameResults) {
  std::mt19937_64 rng(4);
  const std::vector<uint8_t> codes = ClusteredCodes(5000, 50, 40, rng);
  const std::vector<uint8_t> queries = MakeQueries(codes, 100, rng);
  MultiHashIndex index;
  index.add(5000, codes.data());
  index_internal::ForcePortableKernelsForTesting(true);
  ExpectRangeEqualsFlat(index, codes, queries, 32);
  ExpectRangeEqualsFlat(index, codes, queries, 60);  // linear-scan path
  index_internal::ForcePortableKernelsForTesting(false);
}

TEST(MultiHashIndexTest, LargeRadiusUsesScanAndStaysExact) {
  std::mt19937_64 rng(5);
  const std::vector<uint8_t> codes = ClusteredCodes(3000, 30, 60, rng);
  const std::vector<uint8_t> queries = MakeQueries(codes, 50, rng);
  MultiHashIndex index;
  index.add(3000, codes.data());
  for (int radius : {36, 37, 50, 128, 257, 1000}) {
    ExpectRangeEqualsFlat(index, codes, queries, radius);
  }
}

// k-NN results equal flat's: same distance lists (ties may pick other ids),
// and every label is at its reported distance.
void ExpectKnnEqualsFlat(const MultiHashIndex& index,
                         const std::vector<uint8_t>& codes,
                         const std::vector<uint8_t>& queries, idx_t k) {
  faiss::IndexBinaryFlat flat(256);
  flat.add(static_cast<idx_t>(codes.size() / kBytes), codes.data());
  const idx_t nq = static_cast<idx_t>(queries.size() / kBytes);
  std::vector<int32_t> expected_d(nq * k), actual_d(nq * k);
  std::vector<idx_t> expected_l(nq * k), actual_l(nq * k);
  flat.search(nq, queries.data(), k, expected_d.data(), expected_l.data());
  index.search(nq, queries.data(), k, actual_d.data(), actual_l.data());
  ASSERT_THAT(actual_d, ElementsAreArray(expected_d)) << "k=" << k;
  for (idx_t i = 0; i < nq * k; ++i) {
    if (expected_l[i] < 0) {
      EXPECT_EQ(actual_l[i], -1);
      continue;
    }
    ASSERT_GE(actual_l[i], 0);
    EXPECT_EQ(
        BruteDistance(&queries[(i / k) * kBytes], &codes[actual_l[i] * kBytes]),
        actual_d[i]);
  }
  for (idx_t q = 0; q < nq; ++q) {  // no id twice in one query's answer
    std::vector<idx_t> labels(actual_l.begin() + q * k,
                              actual_l.begin() + (q + 1) * k);
    std::sort(labels.begin(), labels.end());
    labels.erase(std::remove(labels.begin(), labels.end(), -1), labels.end());
    EXPECT_EQ(std::adjacent_find(labels.begin(), labels.end()), labels.end());
  }
}

TEST(MultiHashIndexTest, KnnSearchEqualsFlat) {
  std::mt19937_64 rng(6);
  const std::vector<uint8_t> codes = ClusteredCodes(20000, 200, 40, rng);
  const std::vector<uint8_t> queries = MakeQueries(codes, 100, rng);
  MultiHashIndex index;
  index.add(20000, codes.data());
  for (idx_t k : {1, 5, 100}) ExpectKnnEqualsFlat(index, codes, queries, k);
}

TEST(MultiHashIndexTest, KnnPadsWhenKExceedsSize) {
  std::mt19937_64 rng(7);
  const std::vector<uint8_t> codes = RandomCodes(7, rng);
  const std::vector<uint8_t> queries = MakeQueries(codes, 4, rng);
  MultiHashIndex index;
  index.add(7, codes.data());
  ExpectKnnEqualsFlat(index, codes, queries, 10);
  MultiHashIndex empty;
  int32_t distance = 0;
  idx_t label = 0;
  empty.search(1, queries.data(), 1, &distance, &label);
  EXPECT_EQ(label, -1);
}

TEST(MultiHashIndexTest, AddAfterSearch) {
  std::mt19937_64 rng(8);
  const std::vector<uint8_t> codes = ClusteredCodes(6000, 60, 40, rng);
  const std::vector<uint8_t> queries = MakeQueries(codes, 100, rng);
  const std::vector<uint8_t> first(codes.begin(), codes.begin() + 4000 * 32);
  MultiHashIndex index;
  index.add(4000, codes.data());
  ExpectRangeEqualsFlat(index, first, queries, 32);
  index.add(2000, codes.data() + 4000 * kBytes);
  EXPECT_EQ(index.ntotal, 6000);
  ExpectRangeEqualsFlat(index, codes, queries, 32);
  ExpectKnnEqualsFlat(index, codes, queries, 3);
}

TEST(MultiHashIndexTest, RemoveIdsCompactsLikeFlat) {
  std::mt19937_64 rng(9);
  const std::vector<uint8_t> codes = ClusteredCodes(6000, 60, 40, rng);
  const std::vector<uint8_t> queries = MakeQueries(codes, 100, rng);
  MultiHashIndex index;
  faiss::IndexBinaryFlat flat(256);
  index.add(6000, codes.data());
  flat.add(6000, codes.data());
  std::vector<idx_t> batch;
  for (idx_t i = 0; i < 6000; i += 7) batch.push_back(i);
  const faiss::IDSelectorBatch every_seventh(batch.size(), batch.data());
  const faiss::IDSelectorRange range(100, 1100);
  for (const faiss::IDSelector* sel :
       std::vector<const faiss::IDSelector*>{&every_seventh, &range}) {
    const size_t removed = index.remove_ids(*sel);
    EXPECT_EQ(removed, flat.remove_ids(*sel));
    ASSERT_EQ(index.ntotal, flat.ntotal);
    EXPECT_EQ(RangeSearch(index, queries, 32), RangeSearch(flat, queries, 32));
  }
  EXPECT_EQ(index.ntotal, 6000 - 858 - 1000);
  EXPECT_EQ(index.remove_ids(faiss::IDSelectorRange(90000, 90001)), 0u);
  index.reset();
  EXPECT_EQ(index.ntotal, 0);
  EXPECT_THAT(RangeSearch(index, queries, 32)[0], IsEmpty());
}

TEST(MultiHashIndexTest, ConcurrentSearchesAgree) {
  std::mt19937_64 rng(10);
  const std::vector<uint8_t> codes = ClusteredCodes(10000, 100, 40, rng);
  const std::vector<uint8_t> queries = MakeQueries(codes, 100, rng);
  MultiHashIndex index;
  index.add(10000, codes.data());
  const std::vector<Matches> expected = RangeSearch(index, queries, 32);
  std::vector<std::vector<Matches>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back(
        [&, t] { results[t] = RangeSearch(index, queries, 32); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::vector<Matches>& result : results) {
    EXPECT_EQ(result, expected);
  }
  ExpectRangeEqualsFlat(index, codes, queries, 32);
}

std::vector<uint8_t> ParseHexLines(const std::string& path) {
  std::istringstream in(testing::ReadTextFile(path));
  std::vector<uint8_t> codes;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    EXPECT_EQ(line.size(), 64u) << line;
    for (size_t i = 0; i + 1 < line.size(); i += 2) {
      codes.push_back(
          static_cast<uint8_t>(std::stoul(line.substr(i, 2), nullptr, 16)));
    }
  }
  return codes;
}

TEST(MultiHashIndexTest, ReferenceNeedlesInHaystackMatchBruteForce) {
  const std::vector<uint8_t> needles =
      ParseHexLines(testing::TestdataPath("pdq/needles.txt"));
  const std::vector<uint8_t> haystack =
      ParseHexLines(testing::TestdataPath("pdq/haystack.txt"));
  ASSERT_EQ(needles.size(), 100u * kBytes);
  ASSERT_EQ(haystack.size(), 1350u * kBytes);
  MultiHashIndex index;
  index.add(1350, haystack.data());
  const std::vector<Matches> actual = RangeSearch(index, needles, 32);
  size_t total = 0;
  for (size_t q = 0; q < 100; ++q) {
    Matches expected;
    for (idx_t i = 0; i < 1350; ++i) {
      const int d = BruteDistance(&needles[q * kBytes], &haystack[i * kBytes]);
      if (d <= 31) expected.emplace_back(i, d);
    }
    EXPECT_EQ(actual[q], expected) << "needle " << q;
    total += expected.size();
  }
  EXPECT_GT(total, 0u);
}

TEST(MultiHashIndexTest, SerializeRoundTrip) {
  std::mt19937_64 rng(11);
  const std::vector<uint8_t> codes = ClusteredCodes(20000, 200, 40, rng);
  const std::vector<uint8_t> queries = MakeQueries(codes, 100, rng);
  for (int m : {12, 16}) {
    MultiHashIndex index(256, m);
    index.add(20000, codes.data());
    const std::string bytes = index.Serialize();
    absl::StatusOr<std::unique_ptr<MultiHashIndex>> loaded =
        MultiHashIndex::Deserialize(absl::MakeConstSpan(
            reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ((*loaded)->ntotal, 20000);
    EXPECT_EQ((*loaded)->num_substrings(), m);
    EXPECT_EQ((*loaded)->Serialize(), bytes);
    ExpectRangeEqualsFlat(**loaded, codes, queries, 32);
  }
}

absl::Status DeserializeStatus(const std::string& bytes) {
  return MultiHashIndex::Deserialize(
             absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()),
                                 bytes.size()))
      .status();
}

TEST(MultiHashIndexTest, DeserializeRefusesTruncatedFlippedAndGarbageBytes) {
  std::mt19937_64 rng(12);
  const std::vector<uint8_t> codes = ClusteredCodes(6, 2, 40, rng);
  MultiHashIndex index(256, 32);  // 8-bit substrings: small tables
  index.add(6, codes.data());
  const std::string bytes = index.Serialize();
  ASSERT_TRUE(DeserializeStatus(bytes).ok());
  for (size_t length = 0; length < bytes.size(); ++length) {
    EXPECT_FALSE(DeserializeStatus(bytes.substr(0, length)).ok()) << length;
  }
  EXPECT_EQ(DeserializeStatus(bytes + "x").code(), absl::StatusCode::kDataLoss);
  // Every byte, one bit each: each flip must be detected (a flipped code bit
  // moves the code to another bucket of one table).
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] ^= static_cast<char>(1 << (i % 8));
    EXPECT_FALSE(DeserializeStatus(flipped).ok()) << "byte " << i;
  }
  for (int trial = 0; trial < 200; ++trial) {
    std::string garbage = bytes;
    for (size_t i = 8; i < garbage.size(); ++i) garbage[i] = char(rng());
    EXPECT_FALSE(DeserializeStatus(garbage).ok());
  }
  EXPECT_EQ(DeserializeStatus("not an index").code(),
            absl::StatusCode::kInvalidArgument);
  // A huge declared count is refused before any allocation.
  std::string huge = bytes;
  const uint64_t count = ~uint64_t{0} / 16;
  std::memcpy(&huge[16], &count, sizeof(count));
  EXPECT_EQ(DeserializeStatus(huge).code(), absl::StatusCode::kDataLoss);
}

TEST(MultiHashIndexTest, BadArgumentsThrow) {
  EXPECT_THROW(MultiHashIndex(128), faiss::FaissException);
  EXPECT_THROW(MultiHashIndex(256, 10), faiss::FaissException);
  EXPECT_THROW(MultiHashIndex(256, 33), faiss::FaissException);
  MultiHashIndex index;
  std::mt19937_64 rng(13);
  const std::vector<uint8_t> codes = RandomCodes(10, rng);
  EXPECT_THROW(index.add(-1, codes.data()), faiss::FaissException);
  EXPECT_THROW(index.add(1, nullptr), faiss::FaissException);
  index.add(10, codes.data());
  int32_t distances[2];
  idx_t labels[2];
  EXPECT_THROW(index.search(-1, codes.data(), 1, distances, labels),
               faiss::FaissException);
  EXPECT_THROW(index.search(1, nullptr, 1, distances, labels),
               faiss::FaissException);
  EXPECT_THROW(index.search(1, codes.data(), 0, distances, labels),
               faiss::FaissException);
  EXPECT_THROW(index.search(1, codes.data(), 1, nullptr, labels),
               faiss::FaissException);
  faiss::RangeSearchResult result(1);
  EXPECT_THROW(index.range_search(1, codes.data(), 32, nullptr),
               faiss::FaissException);
  EXPECT_THROW(index.range_search(2, codes.data(), 32, &result),
               faiss::FaissException);
  uint8_t code[kBytes];
  EXPECT_THROW(index.reconstruct(10, code), faiss::FaissException);
  EXPECT_THROW(index.reconstruct(-1, code), faiss::FaissException);
  index.reconstruct(9, code);
  EXPECT_TRUE(std::equal(code, code + kBytes, codes.data() + 9 * kBytes));
  EXPECT_EQ(index.ntotal, 10);  // failed calls changed nothing
}

}  // namespace
}  // namespace clearmatch
