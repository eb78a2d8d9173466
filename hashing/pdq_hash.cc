#include "hashing/pdq_hash.h"

#include <bit>
#include <cstring>

#include "common/hex.h"
#include "common/status_macros.h"

namespace clearmatch {
absl::StatusOr<PdqHash> PdqHash::FromHex(std::string_view hex) {
  CM_ASSIGN_OR_RETURN(const std::string bytes,
                      ParseHexBytes(hex, kBytes, "PDQ hash"));
  std::array<uint8_t, kBytes> code;
  std::memcpy(code.data(), bytes.data(), kBytes);
  return PdqHash(code);
}

std::string PdqHash::ToHex() const {
  return BytesToHex(std::string_view(
      reinterpret_cast<const char*>(bytes_.data()), bytes_.size()));
}

int PdqHash::DistanceTo(const PdqHash& other) const {
  return HammingDistance256(bytes_.data(), other.bytes_.data());
}

// Two clones: one with the POPCNT instruction, one portable; the loader picks
// the first the CPU supports. Sanitizer builds keep the portable one only:
// the sanitizers instrument the ifunc resolver target_clones generates, and
// the loader runs it before the sanitizer runtime is initialised.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define CLEARMATCH_POPCNT_CLONES
#else
#define CLEARMATCH_POPCNT_CLONES \
  __attribute__((target_clones("popcnt", "default")))
#endif

CLEARMATCH_POPCNT_CLONES int HammingDistance256(const uint8_t* a,
                                                const uint8_t* b) {
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
