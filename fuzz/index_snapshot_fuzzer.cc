// Fuzz target: an index snapshot file (index.snap) through
// SnapshotFile::Parse, which a restarting daemon runs on the file it finds.
// Parse verifies the file's SHA-256 before anything else: to reach the
// parser behind it, the target writes the right checksum of the input into
// its header first (the case of a file whose bytes are wrong but whose
// checksum is right: a bug of the writer, or a disk that was written to).
// An accepted snapshot is then walked, searched and serialized again.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "bank/hash_entry.h"
#include "crypto/sha256.h"
#include "fuzz/fuzz_input.h"
#include "hashing/pdq_hash.h"
#include "index/index_snapshot.h"
#include "index/snapshot_file.h"

namespace clearmatch::fuzz {
namespace {

// magic (8 bytes), then the SHA-256 of every byte after it.
constexpr size_t kChecksumOffset = 8;
constexpr size_t kChecksummedFrom = kChecksumOffset + 32;

std::string WithChecksum(absl::string_view input) {
  std::string bytes(input);
  if (bytes.size() < kChecksummedFrom) return bytes;
  absl::StatusOr<Sha256::Digest> digest =
      Sha256::Of(absl::string_view(bytes).substr(kChecksummedFrom));
  if (digest.ok()) {
    std::memcpy(bytes.data() + kChecksumOffset, digest->data(), digest->size());
  }
  return bytes;
}

}  // namespace
}  // namespace clearmatch::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clearmatch;  // NOLINT(build/namespaces)
  const std::string bytes = fuzz::WithChecksum(fuzz::AsStringView(data, size));
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> snapshot =
      SnapshotFile::Parse(bytes);
  if (!snapshot.ok()) return 0;
  const IndexSnapshot& index = **snapshot;
  // Every entry's views must lie within the snapshot (ASan checks them).
  index.ForEachEntry([&](EntryRef ref, const EntryView& view) {
    const HashEntry copy = index.entry(ref).ToHashEntry();
    if (copy.entry_id != view.entry_id) __builtin_trap();
  });
  std::array<uint8_t, PdqHash::kBytes> ones;
  ones.fill(0xff);
  const PdqHash queries[2] = {PdqHash{}, PdqHash(ones)};
  if (!index.SearchPdq(queries, 31).ok()) __builtin_trap();
  if (!index.SearchVideoFrames(queries, 31).ok()) __builtin_trap();
  if (!index.LookupExact(HashType::kSha256, std::string(32, '\0')).ok()) {
    __builtin_trap();
  }
  if (!SnapshotFile::Serialize(index).ok()) __builtin_trap();
  return 0;
}
