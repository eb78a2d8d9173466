// CPU feature detection and the linear-scan Hamming kernel.
#include "index/hamming_kernels.h"

#include <atomic>

namespace clearmatch::index_internal {
namespace {

template <bool kHardware>
ABSL_ATTRIBUTE_ALWAYS_INLINE inline void DistancesLoop(const uint8_t* query,
                                                       const uint8_t* codes,
                                                       size_t n, int32_t* out) {
  const Code256 q = LoadCode256(query);
  for (size_t i = 0; i < n; ++i) {
    out[i] = Distance256<kHardware>(q, LoadCode256(codes + 32 * i));
  }
}

__attribute__((target("popcnt"))) void DistancesPopcnt(const uint8_t* query,
                                                       const uint8_t* codes,
                                                       size_t n, int32_t* out) {
  DistancesLoop<true>(query, codes, n, out);
}

void DistancesPortable(const uint8_t* query, const uint8_t* codes, size_t n,
                       int32_t* out) {
  DistancesLoop<false>(query, codes, n, out);
}

std::atomic<bool> force_portable{false};

}  // namespace

bool CpuHasPopcount() {
  static const bool has_popcount = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("popcnt") != 0;
  }();
  return has_popcount;
}

bool UseHardwarePopcount() {
  return CpuHasPopcount() && !force_portable.load(std::memory_order_relaxed);
}

void ForcePortableKernelsForTesting(bool force) {
  force_portable.store(force, std::memory_order_relaxed);
}

void ComputeDistances256(const uint8_t* query, const uint8_t* codes, size_t n,
                         int32_t* out) {
  if (UseHardwarePopcount()) {
    DistancesPopcnt(query, codes, n, out);
  } else {
    DistancesPortable(query, codes, n, out);
  }
}

}  // namespace clearmatch::index_internal
