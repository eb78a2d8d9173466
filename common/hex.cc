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

std::string BytesToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(2 * bytes.size(), '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    hex[2 * i] = kDigits[byte >> 4];
    hex[2 * i + 1] = kDigits[byte & 15];
  }
  return hex;
}

bool IsLowercaseHex(std::string_view text) {
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace clearmatch
