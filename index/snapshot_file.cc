// SnapshotFile: the verified on-disk form of an IndexSnapshot.
#include "index/snapshot_file.h"

#include <faiss/IndexBinary.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/byte_reader.h"
#include "common/byte_writer.h"
#include "common/file_io.h"
#include "common/scoped_fd.h"
#include "common/status_macros.h"
#include "crypto/sha256.h"
#include "index/pdq_index_factory.h"
#include "index/snapshot_layer.h"

namespace clearmatch {
namespace {

static_assert(std::endian::native == std::endian::little,
              "snapshot files are written in little-endian order");

using index_internal::SnapshotLayer;
namespace layout = snapshot_file_internal;
using layout::kFormatVersion;
using layout::kHeaderBytes;
using layout::kRemovedTag;
using layout::kSectionHeaderBytes;

constexpr char kMagic[8] = {'C', 'M', 'S', 'N', 'A', 'P', '\0', '\1'};
constexpr size_t kChecksumOffset = 8;
constexpr size_t kChecksumBytes = Sha256::kDigestBytes;
constexpr size_t kHashedFrom = kChecksumOffset + kChecksumBytes;  // 40
constexpr size_t kLengthOffset = 56;
constexpr uint32_t kSectionCount = kRemovedTag;

// A video frame in the file: hash, frame number (i32), seconds (f64).
constexpr size_t kFrameBytes = PdqHash::kBytes + 4 + 8;

static_assert(sizeof(SnapshotLayer::Labels) == 3 * sizeof(uint32_t),
              "labels are written as they are in memory");

// A column's bytes as they are in memory (trivially copyable T, no padding).
template <typename T>
absl::string_view ColumnBytes(const std::vector<T>& column) {
  return absl::string_view(reinterpret_cast<const char*>(column.data()),
                           column.size() * sizeof(T));
}

// Inverse of ColumnBytes. DATA_LOSS if `bytes` is not a whole number of Ts.
template <typename T>
absl::Status CopyColumn(absl::string_view bytes, absl::string_view what,
                        std::vector<T>* column) {
  if (bytes.size() % sizeof(T) != 0) {
    return absl::DataLossError(absl::StrCat(
        what, ": ", bytes.size(), " bytes is not a multiple of ", sizeof(T)));
  }
  column->resize(bytes.size() / sizeof(T));
  if (!bytes.empty()) std::memcpy(column->data(), bytes.data(), bytes.size());
  return absl::OkStatus();
}

// Frames field by field (VpdqFrame has padding, which must not reach the
// file).
std::string FramesBytes(const std::vector<VpdqFrame>& frames) {
  std::string out;
  out.reserve(frames.size() * kFrameBytes);
  ByteWriter w(&out);
  for (const VpdqFrame& frame : frames) {
    w.PutBytes(frame.hash.data(), PdqHash::kBytes);
    w.Put(frame.frame_number);
    w.Put(frame.seconds);
  }
  return out;
}

absl::Status ParseFrames(absl::string_view bytes, absl::string_view what,
                         std::vector<VpdqFrame>* frames) {
  if (bytes.size() % kFrameBytes != 0) {
    return absl::DataLossError(
        absl::StrCat(what, ": ", bytes.size(),
                     " bytes of frames, not a multiple of ", kFrameBytes));
  }
  frames->resize(bytes.size() / kFrameBytes);
  for (size_t i = 0; i < frames->size(); ++i) {
    const char* record = bytes.data() + i * kFrameBytes;
    std::array<uint8_t, PdqHash::kBytes> code;
    std::memcpy(code.data(), record, code.size());
    VpdqFrame& frame = (*frames)[i];
    frame.hash = PdqHash(code);
    std::memcpy(&frame.frame_number, record + PdqHash::kBytes, 4);
    std::memcpy(&frame.seconds, record + PdqHash::kBytes + 4, 8);
  }
  return absl::OkStatus();
}

// Reads up to `size` bytes of `fd` into `buffer` while a second thread
// computes the SHA-256 of bytes kHashedFrom.. as they arrive (the two take
// about as long each). Returns the bytes read (fewer if the file shrank).
absl::StatusOr<size_t> ReadAndHash(
    int fd, const std::string& path, char* buffer, size_t size,
    std::array<uint8_t, kChecksumBytes>* sha256) {
  constexpr size_t kChunkBytes = size_t{2} << 20;
  std::mutex mu;
  std::condition_variable arrived;
  size_t available = 0;   // guarded by mu: bytes of buffer filled
  bool finished = false;  // guarded by mu: no more bytes will come
  Sha256 hasher;          // used by the hashing thread only until joined
  const auto hash_arrivals = [&] {
    size_t hashed = kHashedFrom;
    while (true) {
      size_t end;
      bool last;
      {
        std::unique_lock<std::mutex> lock(mu);
        arrived.wait(lock, [&] { return finished || available > hashed; });
        end = available;
        last = finished;
      }
      if (end > hashed) {
        hasher.Update(absl::string_view(buffer + hashed, end - hashed));
        hashed = end;
      } else if (last) {
        return;
      }
    }
  };
  std::thread hashing;
  try {
    hashing = std::thread(hash_arrivals);
  } catch (const std::system_error& e) {
    return absl::ResourceExhaustedError(
        absl::StrCat("no thread to checksum ", path, ": ", e.what()));
  }
  absl::Status status;
  size_t done = 0;
  while (done < size) {
    const ssize_t n =
        ::read(fd, buffer + done, std::min(kChunkBytes, size - done));
    if (n < 0) {
      if (errno == EINTR) continue;
      status = ErrnoStatus(errno, "reading", path);
      break;
    }
    if (n == 0) break;  // shrank while reading: Parse reports the truncation
    done += static_cast<size_t>(n);
    {
      std::lock_guard<std::mutex> lock(mu);
      available = done;
    }
    arrived.notify_one();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    finished = true;
  }
  arrived.notify_one();
  hashing.join();
  CM_RETURN_IF_ERROR(status);
  CM_ASSIGN_OR_RETURN(*sha256, hasher.Finish());
  return done;
}

absl::Span<const uint8_t> AsBytes(absl::string_view s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size());
}

// Layer `layer` (0 main, 1 delta) from its sections of the file.
absl::StatusOr<std::unique_ptr<const SnapshotLayer>> ParseLayer(
    absl::Span<const absl::string_view> sections, int layer) {
  const auto section = [&](layout::LayerSection column) {
    return sections[layout::LayerSectionTag(layer, column)];
  };
  const std::string what = layer == 0 ? "main layer" : "delta layer";
  SnapshotLayer::Columns c;
  CM_RETURN_IF_ERROR(CopyColumn(section(layout::kTypes), what, &c.types));
  CM_RETURN_IF_ERROR(CopyColumn(section(layout::kAddedAt), what, &c.added_at));
  CM_RETURN_IF_ERROR(CopyColumn(section(layout::kLabels), what, &c.labels));
  CM_RETURN_IF_ERROR(
      CopyColumn(section(layout::kStringOffsets), what, &c.string_offsets));
  c.string_chars = std::string(section(layout::kStringChars));
  CM_RETURN_IF_ERROR(
      CopyColumn(section(layout::kIdOffsets), what, &c.id_offsets));
  c.id_chars = std::string(section(layout::kIdChars));
  c.digests = {std::string(section(layout::kMd5Digests)),
               std::string(section(layout::kSha1Digests)),
               std::string(section(layout::kSha256Digests))};
  CM_RETURN_IF_ERROR(
      CopyColumn(section(layout::kFrameOffsets), what, &c.frame_offsets));
  CM_RETURN_IF_ERROR(ParseFrames(section(layout::kFrames), what, &c.frames));
  CM_ASSIGN_OR_RETURN(
      std::unique_ptr<faiss::IndexBinary> pdq_index,
      index_internal::DeserializePdqIndex(AsBytes(section(layout::kPdqIndex))));
  CM_ASSIGN_OR_RETURN(std::unique_ptr<faiss::IndexBinary> frame_index,
                      index_internal::DeserializePdqIndex(
                          AsBytes(section(layout::kFrameIndex))));
  absl::StatusOr<std::unique_ptr<const SnapshotLayer>> restored =
      SnapshotLayer::Restore(std::move(c), std::move(pdq_index),
                             std::move(frame_index));
  if (!restored.ok()) {
    return absl::Status(restored.status().code(),
                        absl::StrCat(what, ": ", restored.status().message()));
  }
  return restored;
}

}  // namespace

absl::StatusOr<std::string> SnapshotFile::Serialize(
    const IndexSnapshot& snapshot) {
  // Views of the sections in tag order; `owned` holds those made here
  // (a deque: its elements never move).
  std::vector<absl::string_view> sections;
  std::deque<std::string> owned;
  const auto own = [&](std::string bytes) {
    sections.push_back(owned.emplace_back(std::move(bytes)));
  };
  for (const SnapshotLayer* layer :
       {snapshot.main_.get(), snapshot.delta_.get()}) {
    const SnapshotLayer::Columns& c = layer->columns();
    sections.push_back(ColumnBytes(c.types));
    sections.push_back(ColumnBytes(c.added_at));
    sections.push_back(ColumnBytes(c.labels));
    sections.push_back(ColumnBytes(c.string_offsets));
    sections.push_back(c.string_chars);
    sections.push_back(ColumnBytes(c.id_offsets));
    sections.push_back(c.id_chars);
    for (const std::string& digests : c.digests) sections.push_back(digests);
    sections.push_back(ColumnBytes(c.frame_offsets));
    own(FramesBytes(c.frames));
    CM_ASSIGN_OR_RETURN(std::string pdq,
                        index_internal::SerializePdqIndex(layer->pdq_index()));
    own(std::move(pdq));
    CM_ASSIGN_OR_RETURN(std::string frames, index_internal::SerializePdqIndex(
                                                layer->frame_index()));
    own(std::move(frames));
  }
  std::string removed;
  ByteWriter removed_writer(&removed);
  removed_writer.Put(static_cast<uint64_t>(snapshot.removed_.size()));
  for (uint32_t local : snapshot.removed_) removed_writer.Put(local);
  own(std::move(removed));
  if (sections.size() != kSectionCount) {
    return absl::InternalError(absl::StrCat("snapshot with ", sections.size(),
                                            " sections, want ", kSectionCount));
  }

  size_t total = kHeaderBytes;
  for (absl::string_view section : sections) {
    total += kSectionHeaderBytes + section.size();
  }
  std::string out;
  out.reserve(total);
  ByteWriter w(&out);
  w.PutBytes(kMagic, sizeof(kMagic));
  out.append(kChecksumBytes, '\0');  // filled in below
  w.Put(kFormatVersion);
  w.Put(kSectionCount);
  w.Put(snapshot.version());
  w.Put(static_cast<uint64_t>(total));
  for (size_t i = 0; i < sections.size(); ++i) {
    const absl::string_view bytes = sections[i];
    w.Put(static_cast<uint32_t>(i + 1));  // the section's tag
    w.Put(uint32_t{0});
    w.Put(static_cast<uint64_t>(bytes.size()));
    w.PutBytes(bytes.data(), bytes.size());
  }
  CM_ASSIGN_OR_RETURN(const Sha256::Digest checksum,
                      Sha256::Of(absl::string_view(out).substr(kHashedFrom)));
  std::memcpy(out.data() + kChecksumOffset, checksum.data(), kChecksumBytes);
  return out;
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> SnapshotFile::Parse(
    std::string_view file) {
  return ParseHashed(file, nullptr);
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> SnapshotFile::ParseHashed(
    std::string_view file, const uint8_t* sha256) {
  const absl::string_view bytes(file.data(), file.size());
  if (bytes.size() < kHeaderBytes) {
    return absl::DataLossError(
        absl::StrCat("snapshot file truncated: ", bytes.size(),
                     " bytes, its header alone needs ", kHeaderBytes));
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return absl::DataLossError("not a clearmatch snapshot file (bad magic)");
  }
  uint64_t declared_length;
  std::memcpy(&declared_length, bytes.data() + kLengthOffset,
              sizeof(declared_length));
  if (declared_length != bytes.size()) {
    return absl::DataLossError(
        absl::StrCat("snapshot file truncated or padded: header declares ",
                     declared_length, " bytes, file has ", bytes.size()));
  }
  std::array<uint8_t, kChecksumBytes> checksum;
  if (sha256 != nullptr) {
    std::memcpy(checksum.data(), sha256, kChecksumBytes);
  } else {
    CM_ASSIGN_OR_RETURN(checksum, Sha256::Of(bytes.substr(kHashedFrom)));
  }
  if (std::memcmp(checksum.data(), bytes.data() + kChecksumOffset,
                  kChecksumBytes) != 0) {
    return absl::DataLossError(
        "snapshot file checksum mismatch (SHA-256): the file is corrupt");
  }

  // Verified as written by Serialize(); still parsed with bounds checks.
  ByteReader r(bytes.substr(kHashedFrom), "snapshot header");
  uint32_t format_version = 0, section_count = 0;
  uint64_t version = 0, length = 0;
  CM_RETURN_IF_ERROR(r.Get(&format_version));
  CM_RETURN_IF_ERROR(r.Get(&section_count));
  CM_RETURN_IF_ERROR(r.Get(&version));
  CM_RETURN_IF_ERROR(r.Get(&length));
  if (format_version != kFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("snapshot file format version ", format_version,
                     " (this build reads ", kFormatVersion, ")"));
  }
  if (section_count != kSectionCount) {
    return absl::DataLossError(absl::StrCat("snapshot file has ", section_count,
                                            " sections, want ", kSectionCount));
  }
  std::array<absl::string_view, kSectionCount + 1> sections;
  for (uint32_t i = 1; i <= kSectionCount; ++i) {
    uint32_t tag = 0, reserved = 0;
    uint64_t size = 0;
    CM_RETURN_IF_ERROR(r.Get(&tag));
    CM_RETURN_IF_ERROR(r.Get(&reserved));
    CM_RETURN_IF_ERROR(r.Get(&size));
    if (tag != i) {
      return absl::DataLossError(
          absl::StrCat("snapshot section ", i, " has tag ", tag));
    }
    CM_RETURN_IF_ERROR(r.GetBytes(size, &sections[i]));
  }
  if (!r.done()) {
    return absl::DataLossError(
        absl::StrCat("snapshot file has ", r.remaining(), " trailing bytes"));
  }

  CM_ASSIGN_OR_RETURN(std::shared_ptr<const SnapshotLayer> main,
                      ParseLayer(sections, 0));
  CM_ASSIGN_OR_RETURN(std::shared_ptr<const SnapshotLayer> delta,
                      ParseLayer(sections, 1));

  ByteReader removed_reader(sections[kRemovedTag], "removed set");
  uint64_t removed_count = 0;
  CM_RETURN_IF_ERROR(removed_reader.Get(&removed_count));
  if (removed_reader.remaining() % sizeof(uint32_t) != 0 ||
      removed_count != removed_reader.remaining() / sizeof(uint32_t)) {
    return absl::DataLossError(
        absl::StrCat("removed set declares ", removed_count, " entries in ",
                     removed_reader.remaining(), " bytes"));
  }
  absl::flat_hash_set<uint32_t> removed;
  removed.reserve(removed_count);
  for (uint64_t i = 0; i < removed_count; ++i) {
    uint32_t local = 0;
    CM_RETURN_IF_ERROR(removed_reader.Get(&local));
    if (local >= main->size()) {
      return absl::DataLossError(absl::StrCat(
          "removed entry ", local, " outside the main layer's ", main->size()));
    }
    removed.insert(local);
  }
  return std::shared_ptr<const IndexSnapshot>(new IndexSnapshot(
      version, std::move(main), std::move(delta), std::move(removed)));
}

absl::Status SnapshotFile::Write(const IndexSnapshot& snapshot,
                                 const std::string& path) {
  CM_ASSIGN_OR_RETURN(const std::string bytes, Serialize(snapshot));
  return WriteFileAtomically(path, bytes, 0600);
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> SnapshotFile::Read(
    const std::string& path, const ReadOptions& options) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "opening snapshot file", path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "stat of", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("snapshot path ", path, " is not a regular file"));
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > options.max_file_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("snapshot file ", path, " has ", size, " bytes (limit ",
                     options.max_file_bytes, ")"));
  }
  // Not a std::string: zero-filling gigabytes first would cost as much as
  // reading them.
  std::unique_ptr<char[]> bytes(new char[size]);
  std::array<uint8_t, kChecksumBytes> checksum;
  CM_ASSIGN_OR_RETURN(
      const size_t done,
      ReadAndHash(fd.get(), path, bytes.get(), size, &checksum));
  return ParseHashed(std::string_view(bytes.get(), done), checksum.data());
}

}  // namespace clearmatch
