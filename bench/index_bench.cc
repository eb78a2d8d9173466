// index_bench: build time, memory and query latency of the exact PDQ code
// indexes (MultiHashIndex, FAISS IndexBinaryFlat, FAISS IndexBinaryMultiHash)
// on random and clustered 256-bit codes, with an exactness check of every
// index against a brute-force scan. Prints one table row per index and query
// kind; the FAISS rows are the baseline of the same run.
//
//   index_bench --sizes=100000,1000000 --data=random,clustered
//
// Flags (all optional, --name=value):
//   --sizes            comma-separated code counts (default 100000,1000000)
//   --data             random,clustered (default both)
//   --queries          timed queries per kind for MultiHashIndex (1000)
//   --baseline_queries timed queries per kind for FAISS indexes (100)
//   --check_queries    queries per kind checked against brute force (100)
//   --substrings       MultiHashIndex substring counts to run (12)
//   --faiss_flat_max   largest N for FAISS IndexBinaryFlat (10000000)
//   --faiss_mih_max    largest N for FAISS IndexBinaryMultiHash (1000000)
//   --load_max         largest N for the Serialize/Deserialize timing
//                      (10000000)
//   --seed             random seed (1)
//   --radii            comma-separated search radii as distances <= r
//                      (default 31; e.g. 31,35,40,47 to price a review
//                      band above 31 against radius 31 in the same run)
// Latencies use one thread: MultiHashIndex runs on the calling thread, FAISS
// runs with omp_set_num_threads(1). Builds use up to 2 threads.
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <malloc.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "index/hamming_kernels.h"
#include "index/multi_hash_index.h"

namespace clearmatch {
namespace {

using idx_t = faiss::IndexBinary::idx_t;
using Clock = std::chrono::steady_clock;
constexpr int kBytes = 32;
constexpr int kBatch = 8;

struct Flags {
  std::vector<int64_t> sizes = {100000, 1000000};
  std::vector<std::string> data = {"random", "clustered"};
  int queries = 1000;
  int baseline_queries = 100;
  int check_queries = 100;
  std::vector<int64_t> substrings = {12};
  int64_t faiss_flat_max = 10000000;
  int64_t faiss_mih_max = 1000000;
  int64_t load_max = 10000000;
  uint64_t seed = 1;
  std::vector<int64_t> radii = {31};  // inclusive distances
};

std::vector<int64_t> ParseInts(absl::string_view text) {
  std::vector<int64_t> out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    int64_t v;
    if (!absl::SimpleAtoi(part, &v)) {
      std::fprintf(stderr, "not a number: %.*s\n", int(part.size()),
                   part.data());
      std::exit(2);
    }
    out.push_back(v);
  }
  return out;
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (name == "--sizes") {
      flags.sizes = ParseInts(value);
    } else if (name == "--data") {
      flags.data = absl::StrSplit(value, ',');
    } else if (name == "--queries") {
      flags.queries = int(ParseInts(value)[0]);
    } else if (name == "--baseline_queries") {
      flags.baseline_queries = int(ParseInts(value)[0]);
    } else if (name == "--check_queries") {
      flags.check_queries = int(ParseInts(value)[0]);
    } else if (name == "--substrings") {
      flags.substrings = ParseInts(value);
    } else if (name == "--faiss_flat_max") {
      flags.faiss_flat_max = ParseInts(value)[0];
    } else if (name == "--faiss_mih_max") {
      flags.faiss_mih_max = ParseInts(value)[0];
    } else if (name == "--load_max") {
      flags.load_max = ParseInts(value)[0];
    } else if (name == "--radii") {
      flags.radii = ParseInts(value);
    } else if (name == "--seed") {
      flags.seed = uint64_t(ParseInts(value)[0]);
    } else {
      std::fprintf(stderr, "unknown flag %s (see the file comment)\n",
                   arg.c_str());
      std::exit(2);
    }
  }
  return flags;
}

double ResidentMiB() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

// Bytes the allocator has handed out and not taken back (heap + mmap).
double HeapInUseMiB() {
  const struct mallinfo2 info = mallinfo2();
  return double(info.uordblks + info.hblkhd) / (1 << 20);
}

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

void FillRandom(uint8_t* out, size_t bytes, std::mt19937_64& rng) {
  for (size_t i = 0; i < bytes; i += 8) {
    const uint64_t word = rng();
    std::memcpy(out + i, &word, std::min<size_t>(8, bytes - i));
  }
}

// Flips exactly `count` distinct random bits.
void FlipBits(uint8_t* code, int count, std::mt19937_64& rng) {
  uint64_t chosen[4] = {0, 0, 0, 0};
  for (int flipped = 0; flipped < count;) {
    const int bit = int(rng() & 255);
    if (chosen[bit >> 6] >> (bit & 63) & 1) continue;
    chosen[bit >> 6] |= uint64_t{1} << (bit & 63);
    code[bit >> 3] ^= uint8_t(1u << (bit & 7));
    ++flipped;
  }
}

// Random codes, or 10k random centres with members 0..40 bits away.
std::vector<uint8_t> MakeCodes(const std::string& kind, int64_t n,
                               std::mt19937_64& rng) {
  std::vector<uint8_t> codes(size_t(n) * kBytes);
  if (kind == "random") {
    FillRandom(codes.data(), codes.size(), rng);
    return codes;
  }
  constexpr int kCentres = 10000;
  std::vector<uint8_t> centres(kCentres * kBytes);
  FillRandom(centres.data(), centres.size(), rng);
  for (int64_t i = 0; i < n; ++i) {
    uint8_t* code = &codes[size_t(i) * kBytes];
    std::memcpy(code, &centres[(rng() % kCentres) * kBytes], kBytes);
    FlipBits(code, int(rng() % 41), rng);
  }
  return codes;
}

// "near": a stored code with 1..31 bits flipped; "random": random codes.
std::vector<uint8_t> MakeQueries(const std::string& kind,
                                 const std::vector<uint8_t>& codes, int n,
                                 std::mt19937_64& rng) {
  std::vector<uint8_t> queries(size_t(n) * kBytes);
  FillRandom(queries.data(), queries.size(), rng);
  if (kind == "near") {
    const size_t stored = codes.size() / kBytes;
    for (int q = 0; q < n; ++q) {
      std::memcpy(&queries[size_t(q) * kBytes],
                  &codes[(rng() % stored) * kBytes], kBytes);
      FlipBits(&queries[size_t(q) * kBytes], 1 + int(rng() % 31), rng);
    }
  }
  return queries;
}

using ResultSet = std::vector<std::pair<idx_t, int>>;

// Every stored code at distance <= max_distance of each query.
std::vector<ResultSet> BruteForce(const std::vector<uint8_t>& codes,
                                  const uint8_t* queries, int nq,
                                  int max_distance) {
  const size_t n = codes.size() / kBytes;
  std::vector<int32_t> distances(n);
  std::vector<ResultSet> out(nq);
  for (int q = 0; q < nq; ++q) {
    index_internal::ComputeDistances256(queries + size_t(q) * kBytes,
                                        codes.data(), n, distances.data());
    for (size_t i = 0; i < n; ++i) {
      if (distances[i] <= max_distance)
        out[q].emplace_back(idx_t(i), distances[i]);
    }
  }
  return out;
}

std::vector<ResultSet> RangeResults(const faiss::IndexBinary& index,
                                    const uint8_t* queries, int nq,
                                    int max_distance) {
  faiss::RangeSearchResult result(nq);
  index.range_search(nq, queries, max_distance + 1, &result);
  std::vector<ResultSet> out(nq);
  for (int q = 0; q < nq; ++q) {
    for (size_t i = result.lims[q]; i < result.lims[q + 1]; ++i) {
      out[q].emplace_back(result.labels[i], int(result.distances[i]));
    }
    std::sort(out[q].begin(), out[q].end());
  }
  return out;
}

// Microseconds of each range_search call over `nq` queries in groups of
// `batch`, at distances <= max_distance.
std::vector<double> TimeQueries(const faiss::IndexBinary& index,
                                const std::vector<uint8_t>& queries, int nq,
                                int batch, int max_distance, size_t* hits) {
  std::vector<double> micros;
  for (int q = 0; q + batch <= nq; q += batch) {
    faiss::RangeSearchResult result(batch);
    const Clock::time_point start = Clock::now();
    index.range_search(batch, &queries[size_t(q) * kBytes], max_distance + 1,
                       &result);
    micros.push_back(Seconds(Clock::now() - start) * 1e6);
    *hits += result.lims[batch];
  }
  return micros;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t i = std::min(values.size() - 1, size_t(p * values.size()));
  return values[i];
}

struct Workload {
  std::string data;
  int64_t n;
  const std::vector<uint8_t>* codes;
  std::map<std::string, std::vector<uint8_t>> queries;  // kind -> queries
  // (kind, max distance) -> brute-force results
  std::map<std::pair<std::string, int>, std::vector<ResultSet>> expected;
};

void PrintHeader() {
  std::printf(
      "%-10s %-9s %-28s %-6s %6s %8s %8s %8s %9s %9s %10s %10s %8s %6s\n", "N",
      "data", "index", "query", "radius", "build_s", "rss_MiB", "heap_MiB",
      "p50_1_us", "p99_1_us", "p50_8_us", "p99_8_us", "hits/q", "exact");
}

// Builds one index, measures it on every query kind, checks exactness.
void RunIndex(
    const Workload& w, const std::string& name, int timed_queries,
    const std::function<std::unique_ptr<faiss::IndexBinary>()>& build) {
  const double rss_before = ResidentMiB();
  const double heap_before = HeapInUseMiB();
  const Clock::time_point start = Clock::now();
  std::unique_ptr<faiss::IndexBinary> index = build();
  const double build_s = Seconds(Clock::now() - start);
  const double rss = ResidentMiB() - rss_before;
  const double heap = HeapInUseMiB() - heap_before;
  for (const auto& [kind, queries] : w.queries) {
    for (const auto& [key, expected] : w.expected) {
      if (key.first != kind) continue;
      const int radius = key.second;
      const int nq = std::min<int>(timed_queries, int(queries.size() / kBytes));
      size_t hits = 0;
      const std::vector<double> one =
          TimeQueries(*index, queries, nq, 1, radius, &hits);
      size_t batch_hits = 0;
      const std::vector<double> eight =
          TimeQueries(*index, queries, nq, kBatch, radius, &batch_hits);
      const bool exact = RangeResults(*index, queries.data(),
                                      int(expected.size()), radius) == expected;
      std::printf(
          "%-10ld %-9s %-28s %-6s %6d %8.2f %8.0f %8.0f %9.0f %9.0f %10.0f "
          "%10.0f %8.1f %6s\n",
          long(w.n), w.data.c_str(), name.c_str(), kind.c_str(), radius,
          build_s, rss, heap, Percentile(one, 0.5), Percentile(one, 0.99),
          Percentile(eight, 0.5), Percentile(eight, 0.99),
          double(hits) / std::max(nq, 1), exact ? "yes" : "NO");
      std::fflush(stdout);
    }
  }
}

void RunLoadTiming(const Workload& w, int substrings) {
  MultiHashIndex index(256, substrings);
  index.add(w.n, w.codes->data());
  const std::string bytes = index.Serialize();
  const Clock::time_point start = Clock::now();
  auto loaded = MultiHashIndex::Deserialize(absl::MakeConstSpan(
      reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  const double load_s = Seconds(Clock::now() - start);
  std::printf(
      "# load %ld %s m=%d: %.0f MiB serialized, Deserialize %.2f s "
      "(%s)\n",
      long(w.n), w.data.c_str(), substrings, bytes.size() / 1048576.0, load_s,
      loaded.ok() ? "ok" : loaded.status().ToString().c_str());
}

int Main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  std::printf(
      "# index_bench: range search at distance <= radius, "
      "hardware popcount %s; latencies single-threaded\n",
      index_internal::CpuHasPopcount() ? "yes" : "no");
  PrintHeader();
  for (int64_t n : flags.sizes) {
    for (const std::string& data : flags.data) {
      std::mt19937_64 rng(flags.seed);
      const std::vector<uint8_t> codes = MakeCodes(data, n, rng);
      Workload w{data, n, &codes, {}, {}};
      const int nq = std::max(flags.queries, flags.check_queries);
      for (const char* kind : {"near", "random"}) {
        w.queries[kind] = MakeQueries(kind, codes, nq, rng);
        for (int64_t radius : flags.radii) {
          w.expected[{kind, int(radius)}] = BruteForce(
              codes, w.queries[kind].data(), flags.check_queries, int(radius));
        }
      }
      for (int64_t m : flags.substrings) {
        RunIndex(w, "MultiHashIndex m=" + std::to_string(m), flags.queries,
                 [&] {
                   auto index = std::make_unique<MultiHashIndex>(256, int(m));
                   index->add(n, codes.data());
                   return index;
                 });
        if (n <= flags.load_max) RunLoadTiming(w, int(m));
      }
      omp_set_num_threads(2);  // builds
      if (n <= flags.faiss_flat_max) {
        RunIndex(w, "faiss Flat (1 thread)", flags.baseline_queries, [&] {
          auto index = std::make_unique<faiss::IndexBinaryFlat>(256);
          index->add(n, codes.data());
          omp_set_num_threads(1);
          return index;
        });
      }
      if (n <= flags.faiss_mih_max) {
        for (auto [nhash, bits, nflip] :
             {std::tuple{16, 16, 1}, std::tuple{12, 21, 2}}) {
          omp_set_num_threads(2);
          const std::string name = "faiss MIH " + std::to_string(nhash) + "x" +
                                   std::to_string(bits) + " nflip " +
                                   std::to_string(nflip);
          RunIndex(w, name, flags.baseline_queries, [&] {
            auto index =
                std::make_unique<faiss::IndexBinaryMultiHash>(256, nhash, bits);
            index->nflip = nflip;
            index->add(n, codes.data());
            omp_set_num_threads(1);
            return index;
          });
        }
      }
      omp_set_num_threads(2);
    }
  }
  return 0;
}

}  // namespace
}  // namespace clearmatch

int main(int argc, char** argv) { return clearmatch::Main(argc, argv); }
