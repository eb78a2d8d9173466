#include "hashing/border_detector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace clearmatch {
namespace {

enum class Edge { kTop, kBottom, kLeft, kRight };

// `count` pixels from `first`, `step` bytes apart: one row or column.
struct Line {
  const uint8_t* first = nullptr;
  ptrdiff_t step = 0;
  int count = 0;
};

// Luma 0..255 of one pixel, in integer arithmetic (Y = 0.299 R + 0.587 G +
// 0.114 B, within rounding), as PDQ weighs the channels.
inline int Luma(const uint8_t* p, PixelFormat format) {
  switch (format) {
    case PixelFormat::kGrey:
      return p[0];
    case PixelFormat::kRgb:
      return (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;
    case PixelFormat::kBgr:
      return (29 * p[0] + 150 * p[1] + 77 * p[2] + 128) >> 8;
  }
  return p[0];
}

// How deep into `rect` a line of `edge` can go: its height for rows, its
// width for columns.
int Extent(const ContentRect& rect, Edge edge) {
  return edge == Edge::kTop || edge == Edge::kBottom ? rect.height : rect.width;
}

// The `depth`-th line of `rect` counted inward from `edge`.
Line LineAt(const PixelView& image, const ContentRect& rect, Edge edge,
            int depth) {
  const ptrdiff_t bpp = BytesPerPixel(image.format);
  const ptrdiff_t stride = static_cast<ptrdiff_t>(image.stride);
  int x = rect.x, y = rect.y;
  switch (edge) {
    case Edge::kTop:
      y += depth;
      break;
    case Edge::kBottom:
      y += rect.height - 1 - depth;
      break;
    case Edge::kLeft:
      x += depth;
      break;
    case Edge::kRight:
      x += rect.width - 1 - depth;
      break;
  }
  const bool row = edge == Edge::kTop || edge == Edge::kBottom;
  return Line{image.data + y * stride + x * bpp, row ? bpp : stride,
              row ? rect.width : rect.height};
}

// The luma of a line as a border would have it: its median, refined to the
// mean of the pixels within `tolerance` of the median (robust to a few
// outliers), and the fraction of pixels outside that range.
struct LineLevel {
  double level = 0;
  double outlier_fraction = 0;
};

LineLevel MeasureLine(const Line& line, PixelFormat format, int tolerance) {
  std::array<int, 256> histogram{};
  const uint8_t* p = line.first;
  for (int i = 0; i < line.count; ++i, p += line.step) {
    ++histogram[Luma(p, format)];
  }
  int median = 0;
  for (int seen = 0; median < 255; ++median) {
    seen += histogram[median];
    if (2 * seen >= line.count) break;
  }
  int64_t inliers = 0, sum = 0;
  for (int v = std::max(0, median - tolerance);
       v <= std::min(255, median + tolerance); ++v) {
    inliers += histogram[v];
    sum += int64_t{histogram[v]} * v;
  }
  return LineLevel{static_cast<double>(sum) / std::max<int64_t>(1, inliers),
                   1.0 - static_cast<double>(inliers) / line.count};
}

// The fraction of the line's pixels whose luma is further than `tolerance`
// from `level`.
double FractionFarFrom(const Line& line, PixelFormat format, double level,
                       int tolerance) {
  int far = 0;
  const uint8_t* p = line.first;
  for (int i = 0; i < line.count; ++i, p += line.step) {
    if (std::abs(Luma(p, format) - level) > tolerance) ++far;
  }
  return static_cast<double>(far) / line.count;
}

// The runs of consecutive uniform lines of one edge, from the edge inward:
// a run is a flat band (its lines within band_tolerance of its first line's
// level). A gradient (a plain sky, a vignette) is a chain of runs each a
// small step from the last.
class BandSequence {
 public:
  // Runs beyond this are not kept: so many bands are no border.
  static constexpr int kMaxRuns = 64;

  explicit BandSequence(const BorderTrimOptions& options) : options_(options) {}

  // Adds the next line (its level); false when there are too many runs.
  bool Add(double level) {
    if (count_ == 0 || std::abs(level - runs_[count_ - 1].first_level) >
                           options_.band_tolerance) {
      if (count_ == kMaxRuns) return false;
      runs_[count_++] = Run{lines_, level, level};
    }
    runs_[count_ - 1].last_level = level;
    ++lines_;
    return true;
  }

  // Where a gradient starts (the first run of two consecutive small steps),
  // or the number of lines when there is none.
  int GradientStart() const {
    for (int i = 1; i + 1 < count_; ++i) {
      if (SmallStep(i) && SmallStep(i + 1)) return runs_[i - 1].start;
    }
    return lines_;
  }

  // Whether the runs before line `depth` look like a border: few bands.
  bool FewBandsBefore(int depth) const {
    int wide = 0, narrow = 0;
    for (int i = 0; i < count_ && runs_[i].start < depth; ++i) {
      const int end = i + 1 < count_ ? runs_[i + 1].start : lines_;
      if (std::min(end, depth) - runs_[i].start >= kWideBandLines) {
        ++wide;
      } else {
        ++narrow;
      }
    }
    return wide <= options_.max_wide_bands &&
           narrow <= options_.max_narrow_runs;
  }

  // Level of the last line of the run holding line `depth - 1`.
  double LevelBefore(int depth) const {
    int i = count_ - 1;
    while (i > 0 && runs_[i].start >= depth) --i;
    return runs_[i].last_level;
  }

 private:
  static constexpr int kWideBandLines = 3;

  struct Run {
    int start = 0;  // first line
    double first_level = 0;
    double last_level = 0;
  };

  // Whether run `i` starts a small step (a gradient's) from run i - 1.
  bool SmallStep(int i) const {
    return std::abs(runs_[i].first_level - runs_[i - 1].last_level) <=
           2 * options_.band_tolerance;
  }

  const BorderTrimOptions& options_;
  std::array<Run, kMaxRuns> runs_{};
  int count_ = 0;
  int lines_ = 0;
};

// Whether one of the lines just inside the border (from `depth`) is clearly
// different from the band's luma `level`.
bool ContentFollows(const PixelView& image, const ContentRect& rect, Edge edge,
                    int depth, double level, const BorderTrimOptions& options) {
  const int end = std::min(Extent(rect, edge),
                           depth + std::max(1, options.content_lookahead));
  for (int i = depth; i < end; ++i) {
    const Line line = LineAt(image, rect, edge, i);
    if (FractionFarFrom(line, image.format, level, options.pixel_tolerance) >=
        options.min_content_fraction) {
      return true;
    }
  }
  return false;
}

// The depth of the border at `edge` of `rect`: 0 when there is none or it
// does not look like one; the whole extent when every line is uniform.
int BorderDepth(const PixelView& image, const ContentRect& rect, Edge edge,
                const BorderTrimOptions& options) {
  const int extent = Extent(rect, edge);
  BandSequence bands(options);
  int uniform = 0;
  for (; uniform < extent; ++uniform) {
    const Line line = LineAt(image, rect, edge, uniform);
    const LineLevel measured =
        MeasureLine(line, image.format, options.pixel_tolerance);
    if (measured.outlier_fraction > options.max_outlier_fraction) break;
    if (!bands.Add(measured.level)) return 0;  // stripes, not a border
  }
  if (uniform == extent) return extent;
  // Uniform content next to the border (a sky) fades in as a gradient: the
  // border ends where the gradient starts. Otherwise it ends at the first
  // non-uniform line, which must be clearly different from the band.
  const int gradient = bands.GradientStart();
  const int depth = std::min(gradient, uniform);
  if (depth < std::max(1, options.min_border_pixels)) return 0;
  if (!bands.FewBandsBefore(depth)) return 0;
  if (gradient < uniform) return depth;
  if (!ContentFollows(image, rect, edge, depth, bands.LevelBefore(depth),
                      options)) {
    return 0;
  }
  return depth;
}

// Trims each edge of `rect` once; returns whether anything was trimmed.
// Rows first, then columns over the rows left (so bars of different colours
// on adjacent sides are each uniform along the lines scanned).
bool TrimOnce(const PixelView& image, const BorderTrimOptions& options,
              ContentRect& rect) {
  bool trimmed = false;
  for (Edge edge : {Edge::kTop, Edge::kBottom, Edge::kLeft, Edge::kRight}) {
    if (rect.width <= 0 || rect.height <= 0) return trimmed;
    const int depth = BorderDepth(image, rect, edge, options);
    if (depth == 0) continue;
    trimmed = true;
    switch (edge) {
      case Edge::kTop:
        rect.y += depth;
        rect.height -= depth;
        break;
      case Edge::kBottom:
        rect.height -= depth;
        break;
      case Edge::kLeft:
        rect.x += depth;
        rect.width -= depth;
        break;
      case Edge::kRight:
        rect.width -= depth;
        break;
    }
  }
  return trimmed;
}

int MinContentSide(int side, const BorderTrimOptions& options) {
  const int by_fraction =
      static_cast<int>(std::ceil(side * options.min_content_side_fraction));
  return std::max({1, options.min_content_pixels, by_fraction});
}

}  // namespace

std::optional<ContentRect> FindContentRect(const PixelView& image,
                                           const BorderTrimOptions& options) {
  const int min_width = MinContentSide(image.width, options);
  const int min_height = MinContentSide(image.height, options);
  if (image.data == nullptr || image.width < min_width ||
      image.height < min_height) {
    return std::nullopt;
  }
  ContentRect rect{0, 0, image.width, image.height};
  // A border's sides are found in one pass; a second catches bars that only
  // become uniform lines once the perpendicular bars are gone.
  constexpr int kMaxPasses = 3;
  bool trimmed_any = false;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    if (!TrimOnce(image, options, rect)) break;
    trimmed_any = true;
  }
  if (!trimmed_any || rect.width < min_width || rect.height < min_height) {
    return std::nullopt;
  }
  return rect;
}

PixelView CropView(const PixelView& image, const ContentRect& rect) {
  const size_t bpp = static_cast<size_t>(BytesPerPixel(image.format));
  PixelView view = image;
  view.data = image.data + static_cast<size_t>(rect.y) * image.stride +
              static_cast<size_t>(rect.x) * bpp;
  view.width = rect.width;
  view.height = rect.height;
  return view;
}

}  // namespace clearmatch
