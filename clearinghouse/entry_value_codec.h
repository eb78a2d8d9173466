// The `value` column of the clearinghouse store's entries: the content of a
// HashEntry as bytes, by type.
//
//   kPdq                  the 32 bytes of the hash
//   kMd5, kSha1, kSha256  the raw digest
//   kVpdq                 per frame, in order: the 32 hash bytes, the frame
//                         number (int32) and the seconds (IEEE double), in
//                         memory order (little-endian): 44 bytes a frame
//
// Thread-safe (no state).
#ifndef CLEARMATCH_CLEARINGHOUSE_ENTRY_VALUE_CODEC_H_
#define CLEARMATCH_CLEARINGHOUSE_ENTRY_VALUE_CODEC_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bank/hash_entry.h"

namespace clearmatch {

// The value of `entry` (its type's member only).
std::string EncodeEntryValue(const HashEntry& entry);

// Sets the content member of `entry` for entry->type from `value`.
// DATA_LOSS if the bytes cannot be a value of that type (length, no frames).
absl::Status DecodeEntryValue(absl::string_view value, HashEntry* entry);

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_ENTRY_VALUE_CODEC_H_
