// PdqHash: one 256-bit PDQ hash, its hex form and Hamming distance.
//
// Bit k (k = 16*row + col of the 16x16 DCT) is bit k of the 64-character hex
// string read as one big-endian 256-bit integer. The 32 bytes are kept in
// hex-string order (byte 0 = the first two hex characters), which is also the
// order FAISS binary indexes and most tools use:
//
//   absl::StatusOr<PdqHash> h = PdqHash::FromHex(hex);
//   int d = h->DistanceTo(other);   // 0..256; the reference match is d <= 31
#ifndef CLEARMATCH_HASHING_PDQ_HASH_H_
#define CLEARMATCH_HASHING_PDQ_HASH_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace clearmatch {

class PdqHash {
 public:
  static constexpr int kBits = 256;
  static constexpr int kBytes = 32;
  static constexpr int kHexLength = 64;
  // The reference implementation's match threshold (inclusive).
  static constexpr int kMatchDistance = 31;

  // All bits zero (the hash of a featureless or too-small image).
  PdqHash() = default;
  explicit PdqHash(const std::array<uint8_t, kBytes>& bytes) : bytes_(bytes) {}

  // Parses exactly 64 hex digits (either case). INVALID_ARGUMENT otherwise,
  // naming the length or the offending character position.
  static absl::StatusOr<PdqHash> FromHex(std::string_view hex);

  // 64 lowercase hex digits.
  std::string ToHex() const;

  bool Bit(int k) const { return (bytes_[31 - (k >> 3)] >> (k & 7)) & 1; }
  void SetBit(int k) { bytes_[31 - (k >> 3)] |= uint8_t(1u << (k & 7)); }

  // Hamming distance, 0..256 (hardware popcount where the CPU has it).
  int DistanceTo(const PdqHash& other) const;

  const std::array<uint8_t, kBytes>& bytes() const { return bytes_; }
  const uint8_t* data() const { return bytes_.data(); }

  friend bool operator==(const PdqHash&, const PdqHash&) = default;
  friend auto operator<=>(const PdqHash&, const PdqHash&) = default;

  template <typename H>
  friend H AbslHashValue(H h, const PdqHash& hash) {
    return H::combine_contiguous(std::move(h), hash.bytes_.data(), kBytes);
  }

 private:
  std::array<uint8_t, kBytes> bytes_{};
};

// Hamming distance of two 32-byte codes (hardware popcount when available).
int HammingDistance256(const uint8_t* a, const uint8_t* b);

}  // namespace clearmatch

#endif  // CLEARMATCH_HASHING_PDQ_HASH_H_
