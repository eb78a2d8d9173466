// The `value` column of the clearinghouse store's entries: the content of a
// HashEntry as bytes, by type.
//
//   kPdq                  the 32 bytes of the hash
//   kMd5, kSha1, kSha256  the raw digest
//   kVpdq                 per frame, in order: the 32 hash bytes, the frame
//                         number (int32) and the seconds (IEEE double), in
//                         memory order (little-endian): 44 bytes a frame
//
// A list of entries (the hashes of one entry id) is, per entry: the type
// (uint8), added_at (int64), the category and the value, each as a uint32
// length and its bytes.
//
// Thread-safe (no state).
#ifndef CLEARMATCH_CLEARINGHOUSE_ENTRY_VALUE_CODEC_H_
#define CLEARMATCH_CLEARINGHOUSE_ENTRY_VALUE_CODEC_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bank/hash_entry.h"

namespace clearmatch {

// The value of `entry` (its type's member only).
std::string EncodeEntryValue(const HashEntry& entry);

// Sets the content member of `entry` for entry->type from `value`.
// DATA_LOSS if the bytes cannot be a value of that type (length, no frames).
absl::Status DecodeEntryValue(absl::string_view value, HashEntry* entry);

// Every entry of `entries` (their type, added_at, category and content).
std::string EncodeEntries(const std::vector<HashEntry>& entries);

// Appends the entries of `value` to `out`, with `entry_id` and `source` as
// their id, bank and source_feed. DATA_LOSS for bytes EncodeEntries cannot
// have written.
absl::Status DecodeEntries(absl::string_view value, absl::string_view source,
                           absl::string_view entry_id,
                           std::vector<HashEntry>& out);

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_ENTRY_VALUE_CODEC_H_
