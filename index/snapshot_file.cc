// SnapshotFile: the verified on-disk form of an IndexSnapshot.
#include "index/snapshot_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
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
#include "index/background_sha256.h"
#include "index/snapshot_layer.h"
#include "index/snapshot_layer_codec.h"

namespace clearmatch {
namespace {

static_assert(std::endian::native == std::endian::little,
              "snapshot files are written in little-endian order");

using index_internal::AppendLayerSections;
using index_internal::BackgroundSha256;
using index_internal::ParseLayerSections;
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

// Reads up to `size` bytes of `fd` into `buffer` while a second thread
// computes the SHA-256 of bytes kHashedFrom.. as they arrive. Returns the
// bytes read (fewer if the file shrank).
absl::StatusOr<size_t> ReadAndHash(int fd, const std::string& path,
                                   char* buffer, size_t size,
                                   Sha256::Digest* sha256) {
  constexpr size_t kChunkBytes = size_t{2} << 20;
  absl::StatusOr<std::unique_ptr<BackgroundSha256>> hasher =
      BackgroundSha256::Start(buffer, kHashedFrom);
  if (!hasher.ok()) {
    return absl::Status(hasher.status().code(),
                        absl::StrCat(path, ": ", hasher.status().message()));
  }
  size_t done = 0;
  while (done < size) {
    const ssize_t n =
        ::read(fd, buffer + done, std::min(kChunkBytes, size - done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "reading", path);  // joins the hasher
    }
    if (n == 0) break;  // shrank while reading: Parse reports the truncation
    done += static_cast<size_t>(n);
    (*hasher)->Advance(done);
  }
  CM_ASSIGN_OR_RETURN(*sha256, (*hasher)->Finish());
  return done;
}

// Every section in tag order (views into the snapshot or into `owned`).
absl::Status CollectSections(const SnapshotLayer& main,
                             const SnapshotLayer& delta,
                             const absl::flat_hash_set<uint32_t>& removed,
                             std::vector<absl::string_view>* sections,
                             std::deque<std::string>* owned) {
  CM_RETURN_IF_ERROR(AppendLayerSections(main, sections, owned));
  CM_RETURN_IF_ERROR(AppendLayerSections(delta, sections, owned));
  std::string& removed_bytes = owned->emplace_back();
  ByteWriter removed_writer(&removed_bytes);
  removed_writer.Put(static_cast<uint64_t>(removed.size()));
  for (uint32_t local : removed) removed_writer.Put(local);
  sections->push_back(removed_bytes);
  if (sections->size() != kSectionCount) {
    return absl::InternalError(absl::StrCat("snapshot with ", sections->size(),
                                            " sections, want ", kSectionCount));
  }
  return absl::OkStatus();
}

// The file: header, then the sections with their headers, checksummed.
absl::StatusOr<std::string> EncodeFile(
    uint64_t version, absl::Span<const absl::string_view> sections) {
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
  w.Put(version);
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

// DATA_LOSS unless `bytes` has the magic, its declared length and the
// checksum (`sha256`: that of bytes[kHashedFrom..] if already computed,
// else null).
absl::Status CheckEnvelope(absl::string_view bytes, const uint8_t* sha256) {
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
  Sha256::Digest checksum;
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
  return absl::OkStatus();
}

// The snapshot version and the sections (index = tag; 0 unused) of a file
// whose envelope was checked.
struct SectionTable {
  uint64_t version = 0;
  std::array<absl::string_view, kSectionCount + 1> sections;
};

absl::StatusOr<SectionTable> ReadSectionTable(absl::string_view bytes) {
  // Verified as written by Serialize(); still parsed with bounds checks.
  ByteReader r(bytes.substr(kHashedFrom), "snapshot header");
  SectionTable table;
  uint32_t format_version = 0, section_count = 0;
  uint64_t length = 0;
  CM_RETURN_IF_ERROR(r.Get(&format_version));
  CM_RETURN_IF_ERROR(r.Get(&section_count));
  CM_RETURN_IF_ERROR(r.Get(&table.version));
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
    CM_RETURN_IF_ERROR(r.GetBytes(size, &table.sections[i]));
  }
  if (!r.done()) {
    return absl::DataLossError(
        absl::StrCat("snapshot file has ", r.remaining(), " trailing bytes"));
  }
  return table;
}

// Layer `layer` (0 main, 1 delta) from the section table.
absl::StatusOr<std::unique_ptr<const SnapshotLayer>> ParseLayer(
    const SectionTable& table, int layer) {
  return ParseLayerSections(
      absl::MakeConstSpan(table.sections)
          .subspan(layout::LayerSectionTag(layer, layout::LayerSection{0}),
                   layout::kLayerSections),
      layer == 0 ? "main layer" : "delta layer");
}

// The removed set: local ids of the main layer (of `main_size` entries).
absl::StatusOr<absl::flat_hash_set<uint32_t>> ParseRemoved(
    absl::string_view section, size_t main_size) {
  ByteReader reader(section, "removed set");
  uint64_t count = 0;
  CM_RETURN_IF_ERROR(reader.Get(&count));
  if (reader.remaining() % sizeof(uint32_t) != 0 ||
      count != reader.remaining() / sizeof(uint32_t)) {
    return absl::DataLossError(absl::StrCat("removed set declares ", count,
                                            " entries in ", reader.remaining(),
                                            " bytes"));
  }
  absl::flat_hash_set<uint32_t> removed;
  removed.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t local = 0;
    CM_RETURN_IF_ERROR(reader.Get(&local));
    if (local >= main_size) {
      return absl::DataLossError(absl::StrCat(
          "removed entry ", local, " outside the main layer's ", main_size));
    }
    removed.insert(local);
  }
  return removed;
}

}  // namespace

absl::StatusOr<std::string> SnapshotFile::Serialize(
    const IndexSnapshot& snapshot) {
  std::vector<absl::string_view> sections;
  std::deque<std::string> owned;
  CM_RETURN_IF_ERROR(CollectSections(*snapshot.main_, *snapshot.delta_,
                                     snapshot.removed_, &sections, &owned));
  return EncodeFile(snapshot.version(), sections);
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> SnapshotFile::Parse(
    std::string_view file) {
  return ParseHashed(file, nullptr);
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> SnapshotFile::ParseHashed(
    std::string_view file, const uint8_t* sha256) {
  const absl::string_view bytes(file.data(), file.size());
  CM_RETURN_IF_ERROR(CheckEnvelope(bytes, sha256));
  CM_ASSIGN_OR_RETURN(const SectionTable table, ReadSectionTable(bytes));
  CM_ASSIGN_OR_RETURN(std::shared_ptr<const SnapshotLayer> main,
                      ParseLayer(table, 0));
  CM_ASSIGN_OR_RETURN(std::shared_ptr<const SnapshotLayer> delta,
                      ParseLayer(table, 1));
  CM_ASSIGN_OR_RETURN(absl::flat_hash_set<uint32_t> removed,
                      ParseRemoved(table.sections[kRemovedTag], main->size()));
  return std::shared_ptr<const IndexSnapshot>(new IndexSnapshot(
      table.version, std::move(main), std::move(delta), std::move(removed)));
}

absl::Status SnapshotFile::Write(const IndexSnapshot& snapshot,
                                 const std::string& path) {
  CM_ASSIGN_OR_RETURN(const std::string bytes, Serialize(snapshot));
  return WritePrivateFileAtomically(path, bytes);
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
  Sha256::Digest checksum;
  CM_ASSIGN_OR_RETURN(
      const size_t done,
      ReadAndHash(fd.get(), path, bytes.get(), size, &checksum));
  return ParseHashed(std::string_view(bytes.get(), done), checksum.data());
}

}  // namespace clearmatch
