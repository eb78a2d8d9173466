// The in-memory form of feed entries and changes, shared by the feed codec,
// the HashStore and the index wiring: plain structs, no protobuf types.
// Hashes are kept as lowercase hex, their wire form; the hash types are
// bank/'s (HashType, HashTypeName, ParseHashType): pdq, md5, sha1, sha256
// in `hash`, and vpdq, a video, as its list of frames.
//
//   CM_RETURN_IF_ERROR(ValidateEntry(entry));
#ifndef CLEARMATCH_FEED_FEED_ENTRY_H_
#define CLEARMATCH_FEED_FEED_ENTRY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bank/hash_entry.h"

namespace clearmatch {

// Number of lowercase hex digits of a feed hash of this type (64, 32, 40,
// 64); 0 for kVpdq, whose entries carry frames instead of a hash.
int HashHexLength(HashType type);

// Limits on the free-text fields of an entry, in bytes.
inline constexpr size_t kMaxEntryIdBytes = 256;
inline constexpr size_t kMaxLabelBytes = 256;  // bank, category

// One sampled frame of a vPDQ entry.
struct FeedFrame {
  std::string hash;  // PDQ: 64 lowercase hex digits
  int32_t frame_number = 0;
  double seconds = 0;

  bool operator==(const FeedFrame&) const = default;
};

// One hash published by a clearinghouse.
struct FeedEntry {
  std::string entry_id;  // unique within its feed
  HashType hash_type = HashType::kPdq;
  std::string hash;  // lowercase hex, HashHexLength(hash_type) digits; empty
                     // for kVpdq
  // kVpdq only: 1..kMaxFramesPerVideo frames, frame numbers non-decreasing.
  std::vector<FeedFrame> frames;
  std::string bank;
  std::string category;
  int64_t added_at_unix_seconds = 0;

  bool operator==(const FeedEntry&) const = default;
};

// One record of a delta: add (or replace) an entry, or remove one by id.
struct FeedChange {
  enum class Op { kAdd, kRemove };
  Op op = Op::kAdd;
  // For kRemove only entry.entry_id matters.
  FeedEntry entry;
};

// What a sync changed, in the form an incremental index update takes:
// apply `removed_entry_ids` first, then `added`. An id may be in both (its
// entry was replaced). `removed_entry_ids` may name ids the reader never had
// (harmless to ignore). When `full_reload` is set (a snapshot replaced the
// whole entry set) the reader must rebuild from HashStore::ListEntries.
struct FeedChanges {
  std::vector<FeedEntry> added;
  std::vector<std::string> removed_entry_ids;
  bool full_reload = false;
};

// OK if every field is within its limits, the hash is lowercase hex of the
// right length for its type (kVpdq: no hash, and frames as ValidateFrames
// wants them; other types: no frames); INVALID_ARGUMENT naming the entry,
// the field and value otherwise.
absl::Status ValidateEntry(const FeedEntry& entry);

// OK if `hash` is `HashHexLength(type)` lowercase hex digits (never for
// kVpdq).
absl::Status ValidateHash(HashType type, absl::string_view hash);

// OK if there are 1..kMaxFramesPerVideo frames, each a valid PDQ hash with
// frame_number >= 0 and not below the previous frame's, and seconds finite
// and >= 0; INVALID_ARGUMENT naming the first bad frame (by index) otherwise.
absl::Status ValidateFrames(const std::vector<FeedFrame>& frames);

// The feed form of an index entry (hex hashes). INVALID_ARGUMENT for invalid
// fields.
absl::StatusOr<FeedEntry> FeedEntryFromHashEntry(const HashEntry& entry);

// The index form of a feed entry from feed `feed_id` (raw digest or PdqHash,
// source_feed = feed_id). INVALID_ARGUMENT for an invalid entry.
absl::StatusOr<HashEntry> HashEntryFromFeedEntry(const FeedEntry& entry,
                                                 absl::string_view feed_id);

namespace feed_internal {
// A possibly hostile value, quoted for an error message: at most 80 bytes
// shown, non-printable bytes escaped as \xNN.
std::string QuoteForError(absl::string_view value);
}  // namespace feed_internal

}  // namespace clearmatch

#endif  // CLEARMATCH_FEED_FEED_ENTRY_H_
