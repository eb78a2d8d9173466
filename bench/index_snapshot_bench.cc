// index_snapshot_bench: what it costs to get a large bank serving.
//   - load of a snapshot file (read + SHA-256 + parse) vs a full rebuild
//     from the entries (the baseline a restart would pay without files);
//   - Apply of a small change (adds + removals) vs the same full rebuild;
//   - a check that the loaded and the updated snapshots answer like the
//     originals;
//   - the heap a loaded snapshot holds, and how much of it is the PDQ index
//     (an index of the same codes built alone, the baseline).
//
//   index_snapshot_bench [entries=10000000] [dir=/tmp]
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "crypto/sha256.h"
#include "hashing/pdq_hash.h"
#include "index/index_builder.h"
#include "index/pdq_index_factory.h"
#include "index/snapshot_file.h"

namespace clearmatch {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double PeakRssGb() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0 / 1024.0;
}

// Bytes of heap in use (small blocks plus mmap'd large ones).
double HeapBytes() {
  const struct mallinfo2 info = mallinfo2();
  return static_cast<double>(info.uordblks + info.hblkhd);
}

// Heap held by a PDQ index of `codes` alone (the kind a snapshot of that
// size uses).
double PdqIndexBytes(const std::vector<PdqHash>& codes) {
  std::vector<uint8_t> bytes;
  bytes.reserve(codes.size() * PdqHash::kBytes);
  for (const PdqHash& code : codes) {
    bytes.insert(bytes.end(), code.data(), code.data() + PdqHash::kBytes);
  }
  const double before = HeapBytes();
  auto index = index_internal::NewPdqIndex(static_cast<int64_t>(codes.size()));
  index->add(static_cast<faiss::IndexBinary::idx_t>(codes.size()),
             bytes.data());
  return HeapBytes() - before;
}

PdqHash RandomCode(std::mt19937_64& rng) {
  std::array<uint8_t, PdqHash::kBytes> bytes;
  for (size_t i = 0; i < bytes.size(); i += 8) {
    const uint64_t word = rng();
    std::memcpy(bytes.data() + i, &word, 8);
  }
  return PdqHash(bytes);
}

std::vector<HashEntry> MakeEntries(int64_t n, std::mt19937_64& rng) {
  std::vector<HashEntry> entries(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    HashEntry& e = entries[static_cast<size_t>(i)];
    e.type = HashType::kPdq;
    e.pdq = RandomCode(rng);
    e.entry_id = absl::StrCat("e", i);
    e.bank = "stopncii";
    e.source_feed = "feed";
    e.added_at = 1700000000 + i;
  }
  return entries;
}

int Fail(const char* what, const absl::Status& status) {
  std::fprintf(stderr, "%s: %s\n", what, std::string(status.message()).c_str());
  return 1;
}

int Run(int64_t n, const std::string& dir) {
  std::mt19937_64 rng(42);
  std::vector<HashEntry> entries = MakeEntries(n, rng);
  double pdq_index_bytes;
  {
    std::vector<PdqHash> codes;
    codes.reserve(entries.size());
    for (const HashEntry& e : entries) codes.push_back(e.pdq);
    pdq_index_bytes = PdqIndexBytes(codes);
  }
  std::vector<PdqHash> queries;
  for (int i = 0; i < 200; ++i) {
    queries.push_back(entries[rng() % entries.size()].pdq);
  }
  IndexBuilder builder({});
  const PdqHash removed_code = entries[0].pdq;  // "e0", removed below

  auto start = Clock::now();
  auto built = builder.Build(std::move(entries), 1);
  const double build_s = SecondsSince(start);
  if (!built.ok()) return Fail("build", built.status());

  const std::string path = dir + "/index_snapshot_bench.snap";
  start = Clock::now();
  if (absl::Status s = SnapshotFile::Write(**built, path); !s.ok()) {
    return Fail("write", s);
  }
  const double write_s = SecondsSince(start);
  const double file_gb = std::filesystem::file_size(path) / 1e9;

  // What loading is made of: reading the bytes and checksumming them (the
  // floor), then parsing (the rest of SnapshotFile::Read).
  double read_s, sha_s;
  {
    start = Clock::now();
    std::ifstream in(path, std::ios::binary);
    std::string bytes(std::filesystem::file_size(path), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    read_s = SecondsSince(start);
    start = Clock::now();
    const absl::StatusOr<Sha256::Digest> digest = Sha256::Of(bytes);
    if (!digest.ok()) return Fail("sha-256", digest.status());
    sha_s = SecondsSince(start);
  }
  const double heap_before_load = HeapBytes();
  start = Clock::now();
  auto loaded = SnapshotFile::Read(path, {});
  const double load_s = SecondsSince(start);
  const double snapshot_bytes = HeapBytes() - heap_before_load;
  if (!loaded.ok()) return Fail("read", loaded.status());

  // A feed delta: 1000 additions and 1000 removals.
  std::vector<HashEntry> adds = MakeEntries(1000, rng);
  std::vector<EntryKey> removes;
  for (HashEntry& e : adds) e.entry_id = absl::StrCat("new-", e.entry_id);
  for (int i = 0; i < 1000; ++i) {
    removes.push_back({"feed", absl::StrCat("e", i * (n / 1000))});
  }
  start = Clock::now();
  auto applied = builder.Apply(**loaded, adds, removes, 2);
  const double apply_s = SecondsSince(start);
  if (!applied.ok()) return Fail("apply", applied.status());

  // Same answers: loaded == built; applied == built minus the removed.
  auto a = (*built)->SearchPdq(queries, 31);
  auto b = (*loaded)->SearchPdq(queries, 31);
  auto c = (*applied)->SearchPdq({adds[0].pdq, removed_code}, 0);
  bool same = a.ok() && b.ok() && c.ok() && a->size() == b->size() &&
              a->size() >= queries.size();
  for (size_t i = 0; same && i < a->size(); ++i) {
    same = (*built)->entry((*a)[i].entry).entry_id ==
           (*loaded)->entry((*b)[i].entry).entry_id;
  }
  // adds[0] is found, entries[0] ("e0") was removed.
  same = same && c->size() == 1 && (*c)[0].query == 0;

  std::printf("entries                         %lld\n", (long long)n);
  std::printf("full rebuild (baseline)         %.2f s\n", build_s);
  std::printf("snapshot write (fsync'd)        %.2f s, file %.2f GB\n", write_s,
              file_gb);
  std::printf(
      "snapshot load (read+sha+parse)  %.2f s  (%.1fx faster than rebuild)\n",
      load_s, build_s / load_s);
  std::printf(
      "  read alone %.2f s, SHA-256 alone %.2f s, the rest (parse + restore, "
      "less any overlap) %.2f s\n",
      read_s, sha_s, load_s - read_s - sha_s);
  std::printf(
      "apply 1000 adds + 1000 removes  %.3f s  (%.0fx faster than rebuild)\n",
      apply_s, build_s / apply_s);
  std::printf("loaded snapshot heap            %.2f GB = %.0f bytes/entry\n",
              snapshot_bytes / 1e9, snapshot_bytes / n);
  std::printf(
      "  of which PDQ index alone      %.2f GB; the rest %.0f bytes/entry\n",
      pdq_index_bytes / 1e9, (snapshot_bytes - pdq_index_bytes) / n);
  std::printf("results identical               %s\n", same ? "yes" : "NO");
  std::printf("peak RSS                        %.2f GB\n", PeakRssGb());
  std::filesystem::remove(path);
  return same ? 0 : 1;
}

}  // namespace
}  // namespace clearmatch

int main(int argc, char** argv) {
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 10'000'000;
  const std::string dir = argc > 2 ? argv[2] : "/tmp";
  if (n < 1000) {
    std::fprintf(stderr, "usage: index_snapshot_bench [entries>=1000] [dir]\n");
    return 2;
  }
  return clearmatch::Run(n, dir);
}
