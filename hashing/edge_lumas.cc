// How uniform a line of an edge is (see edge_lumas.h).
#include "hashing/edge_lumas.h"

#include <array>
#include <cstdlib>

namespace clearmatch::border_scan {

LineLevel MeasureLine(const uint8_t* luma, int count, int tolerance) {
  // A border's line is within the tolerance from end to end: every pixel is
  // then an inlier and the level is the mean, with no histogram (whose
  // increments of one bin, pixel after pixel, wait on each other).
  int low = 255, high = 0;
  int64_t total = 0;
  for (int i = 0; i < count; ++i) {
    low = std::min<int>(low, luma[i]);
    high = std::max<int>(high, luma[i]);
    total += luma[i];
  }
  if (high - low <= tolerance) {
    return LineLevel{static_cast<double>(total) / std::max(1, count), 0.0};
  }
  std::array<int, 256> histogram{};
  for (int i = 0; i < count; ++i) ++histogram[luma[i]];
  int median = 0;
  for (int seen = 0; median < 255; ++median) {
    seen += histogram[median];
    if (2 * seen >= count) break;
  }
  int64_t inliers = 0, sum = 0;
  for (int v = std::max(0, median - tolerance);
       v <= std::min(255, median + tolerance); ++v) {
    inliers += histogram[v];
    sum += int64_t{histogram[v]} * v;
  }
  return LineLevel{static_cast<double>(sum) / std::max<int64_t>(1, inliers),
                   1.0 - static_cast<double>(inliers) / count};
}

double FractionFarFrom(const uint8_t* luma, int count, double level,
                       int tolerance) {
  int far = 0;
  for (int i = 0; i < count; ++i) {
    if (std::abs(luma[i] - level) > tolerance) ++far;
  }
  return static_cast<double>(far) / count;
}

}  // namespace clearmatch::border_scan
