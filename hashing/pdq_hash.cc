#include "hashing/pdq_hash.h"

#include <bit>
#include <cstring>

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

absl::StatusOr<PdqHash> PdqHash::FromHex(std::string_view hex) {
  if (hex.size() != kHexLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "PDQ hash must be ", kHexLength, " hex digits, got ", hex.size()));
  }
  std::array<uint8_t, kBytes> bytes;
  for (int i = 0; i < kBytes; ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("PDQ hash has a non-hex character at position ",
                       hi < 0 ? 2 * i : 2 * i + 1));
    }
    bytes[i] = uint8_t(hi << 4 | lo);
  }
  return PdqHash(bytes);
}

std::string PdqHash::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(kHexLength, '0');
  for (int i = 0; i < kBytes; ++i) {
    hex[2 * i] = kDigits[bytes_[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes_[i] & 15];
  }
  return hex;
}

int PdqHash::DistanceTo(const PdqHash& other) const {
  return HammingDistance256(bytes_.data(), other.bytes_.data());
}

// Two clones: one with the POPCNT instruction, one portable; the loader picks
// the first the CPU supports.
__attribute__((target_clones("popcnt", "default"))) int HammingDistance256(
    const uint8_t* a, const uint8_t* b) {
  int distance = 0;
  for (int i = 0; i < 4; ++i) {
    uint64_t x, y;
    std::memcpy(&x, a + 8 * i, 8);
    std::memcpy(&y, b + 8 * i, 8);
    distance += std::popcount(x ^ y);
  }
  return distance;
}

}  // namespace clearmatch
