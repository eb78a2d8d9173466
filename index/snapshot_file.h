// SnapshotFile: writes an IndexSnapshot to disk and reads it back, so a
// restarted daemon serves at once instead of rebuilding from its store.
//
//   CM_RETURN_IF_ERROR(SnapshotFile::Write(*snapshot,
//   "/var/lib/cm/index.snap")); absl::StatusOr<std::shared_ptr<const
//   IndexSnapshot>> s =
//       SnapshotFile::Read("/var/lib/cm/index.snap", {});
//   if (absl::IsDataLoss(s.status())) -> rebuild from the hash store
//
// Layout (little-endian): magic "CMSNAP\0\1"; SHA-256 of every byte after
// it; format version (u32); section count (u32); snapshot version (u64);
// file length (u64); then sections {tag u32, 0 u32, length u64, bytes} with
// tags 1, 2, ... in order: for the main then the delta layer, each entry
// column of SnapshotLayer::Columns as it is in memory (frames field by
// field), the PDQ index and the frame index (see LayerSection); then the
// removed set. The checksum is verified over the whole file before anything
// else is parsed; the columns are then checked for consistency (offsets in
// order and within their buffers, string ids within the table...); the PDQ
// index bytes come from SerializePdqIndex and go back only through
// DeserializePdqIndex, inside this verified envelope. Format version 1
// (entries row by row) is refused with FAILED_PRECONDITION.
//
// Writes go to a temp file in the same directory, which is fsync'd and
// renamed over the target, then the directory is fsync'd: a crash leaves
// the old file or the new one, never a mix.
// Read checksums the file while it reads it, on one short-lived extra
// thread. Thread-safe (no state); do not write one path from two threads at
// once.
#ifndef CLEARMATCH_INDEX_SNAPSHOT_FILE_H_
#define CLEARMATCH_INDEX_SNAPSHOT_FILE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "index/index_snapshot.h"

namespace clearmatch {
namespace snapshot_file_internal {

// The layout (for tests that build corrupt files).
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr size_t kHeaderBytes = 64;
inline constexpr size_t kSectionHeaderBytes = 16;

// The sections of one layer, in file order.
enum LayerSection : uint32_t {
  kTypes = 0,
  kAddedAt,
  kLabels,
  kStringOffsets,
  kStringChars,
  kIdOffsets,
  kIdChars,
  kMd5Digests,
  kSha1Digests,
  kSha256Digests,
  kFrameOffsets,
  kFrames,
  kPdqIndex,
  kFrameIndex,
  kLayerSections,  // count
};

// Tag of a section of layer 0 (main) or 1 (delta).
constexpr uint32_t LayerSectionTag(int layer, LayerSection section) {
  return 1 + static_cast<uint32_t>(layer) * kLayerSections + section;
}
// The removed set: the last section.
inline constexpr uint32_t kRemovedTag = 1 + 2 * kLayerSections;

}  // namespace snapshot_file_internal

class SnapshotFile {
 public:
  struct ReadOptions {
    // Larger files are refused (RESOURCE_EXHAUSTED) before being read.
    uint64_t max_file_bytes = uint64_t{64} << 30;
  };

  // The errno's status (with the path) for I/O failures; the target is
  // untouched unless the whole file was written and synced.
  static absl::Status Write(const IndexSnapshot& snapshot,
                            const std::string& path);

  // NOT_FOUND if missing; DATA_LOSS for a truncated, corrupt or foreign
  // file; FAILED_PRECONDITION for a format version this code cannot read.
  static absl::StatusOr<std::shared_ptr<const IndexSnapshot>> Read(
      const std::string& path, const ReadOptions& options);

  // The file image Write() writes (for tests and benchmarks).
  static absl::StatusOr<std::string> Serialize(const IndexSnapshot& snapshot);
  // Read() without the I/O.
  static absl::StatusOr<std::shared_ptr<const IndexSnapshot>> Parse(
      std::string_view bytes);

 private:
  // Parse() with the SHA-256 of bytes[40..] already computed (32 bytes; Read
  // hashes while it reads), or null to compute it here.
  static absl::StatusOr<std::shared_ptr<const IndexSnapshot>> ParseHashed(
      std::string_view bytes, const uint8_t* sha256);
};

}  // namespace clearmatch

#endif  // CLEARMATCH_INDEX_SNAPSHOT_FILE_H_
