#include "common/hex.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clearmatch {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<std::string> ParseHexBytes(std::string_view hex, size_t length,
                                          std::string_view what) {
  const std::string name(what);
  if (hex.size() != 2 * length) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " has ", hex.size(), " hex digits, expected ", 2 * length));
  }
  std::string bytes(length, '\0');
  for (size_t i = 0; i < hex.size(); ++i) {
    const int value = HexValue(hex[i]);
    if (value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " has a non-hex character at position ", i + 1));
    }
    bytes[i / 2] = static_cast<char>((bytes[i / 2] << 4) | value);
  }
  return bytes;
}

}  // namespace clearmatch
