// Hamming-distance kernels for 256-bit codes, with and without the POPCNT
// instruction. Hot loops are written as templates on `kHardware` and
// instantiated twice: once inside a function compiled for POPCNT (chosen when
// the CPU has it) and once as portable code.
//
//   if (UseHardwarePopcount()) RunHw(...);  // RunHw: target("popcnt")
//   else RunPortable(...);                  // both call Loop<true/false>(...)
//
// Everything here is stateless and thread-safe.
#ifndef CLEARMATCH_INDEX_HAMMING_KERNELS_H_
#define CLEARMATCH_INDEX_HAMMING_KERNELS_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/base/attributes.h"

namespace clearmatch::index_internal {

// True when the CPU executes POPCNT. Checked once, at first call.
bool CpuHasPopcount();

// Whether kernels use POPCNT: CpuHasPopcount() unless a test forced the
// portable code with ForcePortableKernelsForTesting(true).
bool UseHardwarePopcount();
void ForcePortableKernelsForTesting(bool force);

// A 256-bit code as four little-endian 64-bit words (word 0 = bytes 0..7).
struct Code256 {
  uint64_t w[4];
};

ABSL_ATTRIBUTE_ALWAYS_INLINE inline Code256 LoadCode256(const uint8_t* bytes) {
  Code256 c;
  std::memcpy(c.w, bytes, sizeof(c.w));
  return c;
}

// Population count. kHardware = true emits POPCNT once inlined into a function
// compiled with target("popcnt"); false is portable SWAR arithmetic.
template <bool kHardware>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline int Popcount64(uint64_t x) {
  if constexpr (kHardware) {
    return __builtin_popcountll(x);
  } else {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
  }
}

template <bool kHardware>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline int Distance256(const Code256& a,
                                                    const Code256& b) {
  return Popcount64<kHardware>(a.w[0] ^ b.w[0]) +
         Popcount64<kHardware>(a.w[1] ^ b.w[1]) +
         Popcount64<kHardware>(a.w[2] ^ b.w[2]) +
         Popcount64<kHardware>(a.w[3] ^ b.w[3]);
}

// Bits [offset, offset + bits) of the 256-bit little-endian integer `c`
// (bit i of word w is bit 64 * w + i). Requires 1 <= bits <= 32 and
// offset + bits <= 256.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline uint32_t ExtractBits(const Code256& c,
                                                         int offset, int bits) {
  const int word = offset >> 6;
  const int shift = offset & 63;
  uint64_t v = c.w[word] >> shift;
  if (64 - shift < bits) v |= c.w[word + 1] << (64 - shift);
  return static_cast<uint32_t>(v & ((uint64_t{1} << bits) - 1));
}

// out[i] = distance(query, codes + 32 * i) for i < n: the linear-scan kernel
// (POPCNT when the CPU has it).
void ComputeDistances256(const uint8_t* query, const uint8_t* codes, size_t n,
                         int32_t* out);

}  // namespace clearmatch::index_internal

#endif  // CLEARMATCH_INDEX_HAMMING_KERNELS_H_
