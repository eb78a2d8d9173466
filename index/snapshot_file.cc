// SnapshotFile: the verified on-disk form of an IndexSnapshot.
#include "index/snapshot_file.h"

#include <faiss/IndexBinary.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "index/pdq_index_factory.h"
#include "index/snapshot_layer.h"

namespace clearmatch {
namespace {

static_assert(std::endian::native == std::endian::little,
              "snapshot files are written in little-endian order");

using index_internal::SnapshotLayer;

constexpr char kMagic[8] = {'C', 'M', 'S', 'N', 'A', 'P', '\0', '\1'};
constexpr size_t kChecksumOffset = 8;
constexpr size_t kChecksumBytes = 32;
constexpr size_t kHashedFrom = kChecksumOffset + kChecksumBytes;  // 40
constexpr size_t kLengthOffset = 56;
constexpr size_t kHeaderBytes = 64;
constexpr uint32_t kFormatVersion = 1;

enum SectionTag : uint32_t {
  kMainEntries = 1,
  kMainPdqIndex = 2,
  kMainFrameIndex = 3,
  kDeltaEntries = 4,
  kDeltaPdqIndex = 5,
  kDeltaFrameIndex = 6,
  kRemoved = 7,
};
constexpr uint32_t kSectionCount = 7;
constexpr size_t kSectionHeaderBytes = 16;

// Fixed part of one serialized entry: type, added_at, four string lengths.
constexpr size_t kMinEntryBytes = 1 + 8 + 4 * 4;
constexpr size_t kFrameBytes = PdqHash::kBytes + 4 + 8;

class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}
  template <typename T>
  void Put(T value) {
    out_->append(reinterpret_cast<const char*>(&value), sizeof(value));
  }
  void PutBytes(const void* data, size_t size) {
    out_->append(static_cast<const char*>(data), size);
  }
  void PutString(const std::string& s) {
    Put(static_cast<uint32_t>(s.size()));
    out_->append(s);
  }

 private:
  std::string* out_;
};

// Bounds-checked reads; every failure says what and where.
class ByteReader {
 public:
  ByteReader(absl::string_view bytes, absl::string_view what)
      : bytes_(bytes), what_(what) {}
  size_t remaining() const { return bytes_.size() - pos_; }
  bool done() const { return pos_ == bytes_.size(); }

  template <typename T>
  absl::Status Get(T* value) {
    CM_RETURN_IF_ERROR(Need(sizeof(T)));
    std::memcpy(value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return absl::OkStatus();
  }
  absl::Status GetBytes(size_t size, absl::string_view* out) {
    CM_RETURN_IF_ERROR(Need(size));
    *out = bytes_.substr(pos_, size);
    pos_ += size;
    return absl::OkStatus();
  }
  absl::Status GetString(std::string* out) {
    uint32_t size;
    CM_RETURN_IF_ERROR(Get(&size));
    absl::string_view bytes;
    CM_RETURN_IF_ERROR(GetBytes(size, &bytes));
    out->assign(bytes.data(), bytes.size());
    return absl::OkStatus();
  }

 private:
  absl::Status Need(size_t size) const {
    if (size > remaining()) {
      return absl::DataLossError(absl::StrCat(what_, ": needs ", size,
                                              " bytes at offset ", pos_,
                                              ", has ", remaining()));
    }
    return absl::OkStatus();
  }

  absl::string_view bytes_;
  absl::string_view what_;
  size_t pos_ = 0;
};

std::string SerializeEntries(const std::vector<HashEntry>& entries) {
  std::string out;
  ByteWriter w(&out);
  w.Put(static_cast<uint64_t>(entries.size()));
  for (const HashEntry& e : entries) {
    w.Put(static_cast<uint8_t>(e.type));
    w.Put(e.added_at);
    w.PutString(e.entry_id);
    w.PutString(e.bank);
    w.PutString(e.category);
    w.PutString(e.source_feed);
    switch (e.type) {
      case HashType::kPdq:
        w.PutBytes(e.pdq.data(), PdqHash::kBytes);
        break;
      case HashType::kMd5:
      case HashType::kSha1:
      case HashType::kSha256:
        w.PutBytes(e.digest.data(), e.digest.size());
        break;
      case HashType::kVpdq:
        w.Put(static_cast<uint32_t>(e.frames.size()));
        for (const VpdqFrame& frame : e.frames) {
          w.PutBytes(frame.hash.data(), PdqHash::kBytes);
          w.Put(frame.frame_number);
          w.Put(frame.seconds);
        }
        break;
    }
  }
  return out;
}

absl::StatusOr<PdqHash> ReadPdq(ByteReader& r) {
  absl::string_view bytes;
  CM_RETURN_IF_ERROR(r.GetBytes(PdqHash::kBytes, &bytes));
  std::array<uint8_t, PdqHash::kBytes> raw;
  std::memcpy(raw.data(), bytes.data(), raw.size());
  return PdqHash(raw);
}

absl::StatusOr<std::vector<HashEntry>> ParseEntries(absl::string_view bytes,
                                                    absl::string_view what) {
  ByteReader r(bytes, what);
  uint64_t count;
  CM_RETURN_IF_ERROR(r.Get(&count));
  if (count > r.remaining() / kMinEntryBytes) {
    return absl::DataLossError(absl::StrCat(
        what, ": declares ", count, " entries in ", r.remaining(), " bytes"));
  }
  std::vector<HashEntry> entries(count);
  for (HashEntry& e : entries) {
    uint8_t type;
    CM_RETURN_IF_ERROR(r.Get(&type));
    if (type > static_cast<uint8_t>(HashType::kVpdq)) {
      return absl::DataLossError(
          absl::StrCat(what, ": unknown hash type value ", type));
    }
    e.type = static_cast<HashType>(type);
    CM_RETURN_IF_ERROR(r.Get(&e.added_at));
    CM_RETURN_IF_ERROR(r.GetString(&e.entry_id));
    CM_RETURN_IF_ERROR(r.GetString(&e.bank));
    CM_RETURN_IF_ERROR(r.GetString(&e.category));
    CM_RETURN_IF_ERROR(r.GetString(&e.source_feed));
    switch (e.type) {
      case HashType::kPdq: {
        CM_ASSIGN_OR_RETURN(e.pdq, ReadPdq(r));
        break;
      }
      case HashType::kMd5:
      case HashType::kSha1:
      case HashType::kSha256: {
        absl::string_view digest;
        CM_RETURN_IF_ERROR(r.GetBytes(DigestLength(e.type), &digest));
        e.digest.assign(digest.data(), digest.size());
        break;
      }
      case HashType::kVpdq: {
        uint32_t frames;
        CM_RETURN_IF_ERROR(r.Get(&frames));
        if (frames > r.remaining() / kFrameBytes) {
          return absl::DataLossError(absl::StrCat(what, ": entry declares ",
                                                  frames, " frames in ",
                                                  r.remaining(), " bytes"));
        }
        e.frames.resize(frames);
        for (VpdqFrame& frame : e.frames) {
          CM_ASSIGN_OR_RETURN(frame.hash, ReadPdq(r));
          CM_RETURN_IF_ERROR(r.Get(&frame.frame_number));
          CM_RETURN_IF_ERROR(r.Get(&frame.seconds));
        }
        break;
      }
    }
  }
  if (!r.done()) {
    return absl::DataLossError(
        absl::StrCat(what, ": ", r.remaining(), " trailing bytes"));
  }
  return entries;
}

absl::StatusOr<std::array<uint8_t, kChecksumBytes>> Sha256(
    absl::string_view bytes) {
  std::array<uint8_t, kChecksumBytes> digest;
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(),
                 nullptr) != 1 ||
      size != kChecksumBytes) {
    return absl::InternalError("OpenSSL SHA-256 failed");
  }
  return digest;
}

absl::Status ErrnoStatus(absl::string_view what, const std::string& path) {
  const int error = errno;
  return absl::ErrnoToStatus(error, absl::StrCat(what, " ", path));
}

// Owns a file descriptor from the line it is opened.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, returning close()'s result (it can report write errors).
  int Close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

// Unlinks a temp file unless Release()d (after it was renamed).
class TempFileGuard {
 public:
  explicit TempFileGuard(std::string path) : path_(std::move(path)) {}
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  ~TempFileGuard() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

absl::Span<const uint8_t> AsBytes(absl::string_view s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size());
}

absl::StatusOr<std::unique_ptr<const SnapshotLayer>> ParseLayer(
    absl::string_view entries_bytes, absl::string_view pdq_bytes,
    absl::string_view frame_bytes, absl::string_view what) {
  CM_ASSIGN_OR_RETURN(std::vector<HashEntry> entries,
                      ParseEntries(entries_bytes, what));
  CM_ASSIGN_OR_RETURN(std::unique_ptr<faiss::IndexBinary> pdq_index,
                      index_internal::DeserializePdqIndex(AsBytes(pdq_bytes)));
  CM_ASSIGN_OR_RETURN(
      std::unique_ptr<faiss::IndexBinary> frame_index,
      index_internal::DeserializePdqIndex(AsBytes(frame_bytes)));
  return SnapshotLayer::Restore(std::move(entries), std::move(pdq_index),
                                std::move(frame_index));
}

}  // namespace

absl::StatusOr<std::string> SnapshotFile::Serialize(
    const IndexSnapshot& snapshot) {
  std::vector<std::pair<SectionTag, std::string>> sections;
  const SnapshotLayer* layers[] = {snapshot.main_.get(), snapshot.delta_.get()};
  const SectionTag tags[2][3] = {
      {kMainEntries, kMainPdqIndex, kMainFrameIndex},
      {kDeltaEntries, kDeltaPdqIndex, kDeltaFrameIndex}};
  for (int l = 0; l < 2; ++l) {
    sections.emplace_back(tags[l][0], SerializeEntries(layers[l]->entries()));
    CM_ASSIGN_OR_RETURN(std::string pdq, index_internal::SerializePdqIndex(
                                             layers[l]->pdq_index()));
    sections.emplace_back(tags[l][1], std::move(pdq));
    CM_ASSIGN_OR_RETURN(std::string frames, index_internal::SerializePdqIndex(
                                                layers[l]->frame_index()));
    sections.emplace_back(tags[l][2], std::move(frames));
  }
  std::string removed;
  ByteWriter removed_writer(&removed);
  removed_writer.Put(static_cast<uint64_t>(snapshot.removed_.size()));
  for (uint32_t local : snapshot.removed_) removed_writer.Put(local);
  sections.emplace_back(kRemoved, std::move(removed));

  size_t total = kHeaderBytes;
  for (const auto& section : sections) {
    total += kSectionHeaderBytes + section.second.size();
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
  for (const auto& [tag, bytes] : sections) {
    w.Put(static_cast<uint32_t>(tag));
    w.Put(uint32_t{0});
    w.Put(static_cast<uint64_t>(bytes.size()));
    w.PutBytes(bytes.data(), bytes.size());
  }
  CM_ASSIGN_OR_RETURN(auto checksum,
                      Sha256(absl::string_view(out).substr(kHashedFrom)));
  std::memcpy(out.data() + kChecksumOffset, checksum.data(), kChecksumBytes);
  return out;
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> SnapshotFile::Parse(
    std::string_view file) {
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
  CM_ASSIGN_OR_RETURN(auto checksum, Sha256(bytes.substr(kHashedFrom)));
  if (std::memcmp(checksum.data(), bytes.data() + kChecksumOffset,
                  kChecksumBytes) != 0) {
    return absl::DataLossError(
        "snapshot file checksum mismatch (SHA-256): the file is corrupt");
  }

  // Verified as written by Serialize(); still parsed with bounds checks.
  ByteReader r(bytes.substr(kHashedFrom), "snapshot header");
  uint32_t format_version, section_count;
  uint64_t version, length;
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
    uint32_t tag, reserved;
    uint64_t size;
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

  CM_ASSIGN_OR_RETURN(
      std::shared_ptr<const SnapshotLayer> main,
      ParseLayer(sections[kMainEntries], sections[kMainPdqIndex],
                 sections[kMainFrameIndex], "main entries"));
  CM_ASSIGN_OR_RETURN(
      std::shared_ptr<const SnapshotLayer> delta,
      ParseLayer(sections[kDeltaEntries], sections[kDeltaPdqIndex],
                 sections[kDeltaFrameIndex], "delta entries"));

  ByteReader removed_reader(sections[kRemoved], "removed set");
  uint64_t removed_count;
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
    uint32_t local;
    CM_RETURN_IF_ERROR(removed_reader.Get(&local));
    if (local >= main->entries().size()) {
      return absl::DataLossError(absl::StrCat("removed entry ", local,
                                              " outside the main layer's ",
                                              main->entries().size()));
    }
    removed.insert(local);
  }
  return std::shared_ptr<const IndexSnapshot>(new IndexSnapshot(
      version, std::move(main), std::move(delta), std::move(removed)));
}

absl::Status SnapshotFile::Write(const IndexSnapshot& snapshot,
                                 const std::string& path) {
  CM_ASSIGN_OR_RETURN(const std::string bytes, Serialize(snapshot));
  const std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string temp = (dir / (target.filename().string() + ".tmp.XXXXXX"));
  ScopedFd fd(::mkstemp(temp.data()));
  if (fd.get() < 0) return ErrnoStatus("creating a temp file for", path);
  TempFileGuard guard(temp);

  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n =
        ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("writing", temp);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return ErrnoStatus("fsync of", temp);
  if (fd.Close() != 0) return ErrnoStatus("closing", temp);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return ErrnoStatus("renaming the temp file onto", path);
  }
  guard.Release();
  ScopedFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) return ErrnoStatus("opening the directory of", path);
  if (::fsync(dir_fd.get()) != 0) {
    return ErrnoStatus("fsync of the directory of", path);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> SnapshotFile::Read(
    const std::string& path, const ReadOptions& options) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("opening snapshot file", path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat of", path);
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
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd.get(), bytes.get() + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("reading", path);
    }
    if (n == 0) break;  // shrank while reading: Parse reports the truncation
    done += static_cast<size_t>(n);
  }
  return Parse(std::string_view(bytes.get(), done));
}

}  // namespace clearmatch
