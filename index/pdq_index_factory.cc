// Chooses, writes and reads the PDQ code index (see pdq_index_factory.h).
#include "index/pdq_index_factory.h"

#include <faiss/IndexBinaryFlat.h>

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "index/multi_hash_index.h"

namespace clearmatch::index_internal {
namespace {

constexpr int kDimensionBits = 256;
constexpr size_t kCodeBytes = kDimensionBits / 8;
constexpr char kFlatMagic[8] = {'C', 'M', 'F', 'L', 'A', 'T', '0', '1'};
constexpr char kMultiHashMagicPrefix[5] = {'C', 'M', 'M', 'I', 'H'};

// Measured crossovers (docs/PERFORMANCE.md, "Index"; radius 32, one thread):
// FAISS IndexBinaryFlat costs ~6 ns per stored code and query (0.14 ms at 20k),
// MultiHashIndex with 16 x 16-bit tables ~2-5 us up to 100k and 4 MiB of
// offsets; with 12 tables of 21/22 bits it has a 128 MiB fixed cost but
// verifies ~4x fewer candidates, which wins from about 1M codes. 11 tables of
// 23/24 bits (448 MiB of offsets) cut the candidates again ~2.7x: 2.3 ms
// instead of 9.1 ms at 100M; used from 30M, where the offsets stay small
// beside the ids.
constexpr int64_t kMultiHashMinSize = 4096;
constexpr int64_t kWideTablesMinSize = 1000000;
constexpr int64_t kWidestTablesMinSize = 30000000;
constexpr int kNarrowTableSubstrings = 16;
constexpr int kWidestTableSubstrings = 11;

bool HasPrefix(absl::Span<const uint8_t> bytes, const char* prefix,
               size_t length) {
  return bytes.size() >= length &&
         std::memcmp(bytes.data(), prefix, length) == 0;
}

}  // namespace

std::unique_ptr<faiss::IndexBinary> NewPdqIndex(int64_t expected_size) {
  if (expected_size >= kWidestTablesMinSize) {
    return std::make_unique<MultiHashIndex>(kDimensionBits,
                                            kWidestTableSubstrings);
  }
  if (expected_size >= kWideTablesMinSize) {
    return std::make_unique<MultiHashIndex>();
  }
  if (expected_size >= kMultiHashMinSize) {
    return std::make_unique<MultiHashIndex>(kDimensionBits,
                                            kNarrowTableSubstrings);
  }
  return std::make_unique<faiss::IndexBinaryFlat>(kDimensionBits);
}

absl::StatusOr<std::string> SerializePdqIndex(const faiss::IndexBinary& index) {
  if (const auto* multi = dynamic_cast<const MultiHashIndex*>(&index)) {
    return multi->Serialize();
  }
  const auto* flat = dynamic_cast<const faiss::IndexBinaryFlat*>(&index);
  if (flat == nullptr || flat->d != kDimensionBits) {
    return absl::UnimplementedError(
        "cannot serialize this PDQ index kind (only 256-bit IndexBinaryFlat "
        "and MultiHashIndex)");
  }
  const uint64_t count = static_cast<uint64_t>(flat->ntotal);
  std::string out(kFlatMagic, sizeof(kFlatMagic));
  out.append(reinterpret_cast<const char*>(&count), sizeof(count));
  out.append(reinterpret_cast<const char*>(flat->xb.data()),
             count * kCodeBytes);
  return out;
}

absl::StatusOr<std::unique_ptr<faiss::IndexBinary>> DeserializePdqIndex(
    absl::Span<const uint8_t> bytes) {
  if (HasPrefix(bytes, kMultiHashMagicPrefix, sizeof(kMultiHashMagicPrefix))) {
    absl::StatusOr<std::unique_ptr<MultiHashIndex>> multi =
        MultiHashIndex::Deserialize(bytes);
    if (!multi.ok()) return multi.status();
    return std::unique_ptr<faiss::IndexBinary>(std::move(*multi));
  }
  if (!HasPrefix(bytes, kFlatMagic, sizeof(kFlatMagic)) ||
      bytes.size() < sizeof(kFlatMagic) + sizeof(uint64_t)) {
    return absl::InvalidArgumentError("PDQ index bytes have no known header");
  }
  uint64_t count;
  std::memcpy(&count, bytes.data() + sizeof(kFlatMagic), sizeof(count));
  const size_t body = bytes.size() - sizeof(kFlatMagic) - sizeof(count);
  if (count > body / kCodeBytes || count * kCodeBytes != body) {
    return absl::DataLossError(absl::StrCat(
        "PDQ index declares ", count, " codes but holds ", body, " bytes"));
  }
  auto index = std::make_unique<faiss::IndexBinaryFlat>(kDimensionBits);
  index->add(static_cast<faiss::IndexBinary::idx_t>(count),
             bytes.data() + sizeof(kFlatMagic) + sizeof(count));
  return index;
}

}  // namespace clearmatch::index_internal
