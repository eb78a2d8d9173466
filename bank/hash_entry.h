// HashEntry: one row of a hash bank as the index stores it (a PDQ code, an
// exact file digest, or the frame hashes of a video), with where it came from.
//
//   HashEntry e;
//   e.type = HashType::kMd5;
//   e.digest = raw_16_bytes;    // raw digest bytes, not hex
//   e.entry_id = "ncmec-123"; e.bank = "tid"; e.source_feed = "tid-feed";
//
// EntryView is how a snapshot hands out the entries it stores (compactly, in
// columns): the same fields as views into the snapshot, valid while it lives.
//
// Plain data; thread-compatible.
#ifndef CLEARMATCH_BANK_HASH_ENTRY_H_
#define CLEARMATCH_BANK_HASH_ENTRY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "hashing/pdq_hash.h"

namespace clearmatch {

enum class HashType : uint8_t {
  kPdq = 0,
  kMd5 = 1,
  kSha1 = 2,
  kSha256 = 3,
  kVpdq = 4,  // a video: its frames' PDQ hashes
};

// "pdq", "md5", "sha1", "sha256", "vpdq".
std::string_view HashTypeName(HashType type);

// Case-insensitive inverse of HashTypeName. INVALID_ARGUMENT names the value.
absl::StatusOr<HashType> ParseHashType(std::string_view name);

// Most bytes in a text field (entry id, bank, category, source feed).
inline constexpr size_t kMaxEntryFieldBytes = 1024;
// Most frames in one video entry.
inline constexpr size_t kMaxFramesPerVideo = 1 << 20;

// Raw digest length in bytes for kMd5 (16), kSha1 (20), kSha256 (32); 0 for
// the perceptual types.
size_t DigestLength(HashType type);

// One sampled frame of a video entry.
struct VpdqFrame {
  PdqHash hash;
  int32_t frame_number = 0;
  double seconds = 0;
};

struct HashEntry {
  HashType type = HashType::kPdq;
  std::string entry_id;     // id at the source (the feed's own id)
  std::string bank;         // e.g. "stopncii"
  std::string category;     // may be empty
  std::string source_feed;  // feed that published it; may be empty (CSV)
  int64_t added_at = 0;     // unix seconds

  // Content: exactly the member matching `type` is used.
  PdqHash pdq;                    // kPdq
  std::string digest;             // kMd5 / kSha1 / kSha256: raw bytes
  std::vector<VpdqFrame> frames;  // kVpdq: at least one frame
};

// A HashEntry stored in an IndexSnapshot: views into the snapshot, which
// must outlive it. Cheap to copy.
struct EntryView {
  HashType type = HashType::kPdq;
  std::string_view entry_id;
  std::string_view bank;
  std::string_view category;
  std::string_view source_feed;
  int64_t added_at = 0;

  PdqHash pdq;                         // kPdq
  std::string_view digest;             // kMd5 / kSha1 / kSha256
  absl::Span<const VpdqFrame> frames;  // kVpdq

  // An owning copy.
  HashEntry ToHashEntry() const;
};

// Identity of an entry for removals: the entry id at its source feed. One key
// may name several entries (e.g. the PDQ and the MD5 of one image).
struct EntryKey {
  std::string source_feed;
  std::string entry_id;

  friend bool operator==(const EntryKey&, const EntryKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const EntryKey& key) {
    return H::combine(std::move(h), key.source_feed, key.entry_id);
  }
};

// INVALID_ARGUMENT naming the entry if its content does not match its type
// (digest length, missing frames) or a field is over its limit.
absl::Status ValidateHashEntry(const HashEntry& entry);

}  // namespace clearmatch

#endif  // CLEARMATCH_BANK_HASH_ENTRY_H_
