// Timing helpers shared by the benchmarks: wall-clock milliseconds and
// medians of repeated runs.
#ifndef CLEARMATCH_BENCH_BENCH_TIMING_H_
#define CLEARMATCH_BENCH_BENCH_TIMING_H_

#include <algorithm>
#include <chrono>
#include <vector>

namespace clearmatch::bench {

using Clock = std::chrono::steady_clock;

inline double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

// The median (upper for an even count) of `values`; 0 when empty.
inline double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::nth_element(values.begin(), values.begin() + values.size() / 2,
                   values.end());
  return values[values.size() / 2];
}

}  // namespace clearmatch::bench

#endif  // CLEARMATCH_BENCH_BENCH_TIMING_H_
