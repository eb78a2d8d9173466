// The one hex codec: hex text to raw bytes, with errors that say what was
// wrong and where, and raw bytes to lowercase hex.
//
//   CM_ASSIGN_OR_RETURN(std::string md5, ParseHexBytes(text, 16, "md5 hash"));
//   std::string text = BytesToHex(md5);  // 32 lowercase digits
#ifndef CLEARMATCH_COMMON_HEX_H_
#define CLEARMATCH_COMMON_HEX_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace clearmatch {

// The `length` bytes written as exactly 2 * length hex digits (either case).
// INVALID_ARGUMENT "<what> has N hex digits, expected M" or "<what> has a
// non-hex character at position P" (P from 1).
absl::StatusOr<std::string> ParseHexBytes(std::string_view hex, size_t length,
                                          std::string_view what);

// Two lowercase hex digits per byte.
std::string BytesToHex(std::string_view bytes);

// True if every character is one of 0-9a-f (the canonical form BytesToHex
// writes; formats such as the feed's accept nothing else).
bool IsLowercaseHex(std::string_view text);

}  // namespace clearmatch

#endif  // CLEARMATCH_COMMON_HEX_H_
