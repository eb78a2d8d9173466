#include "hashing/border_detector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <type_traits>
#include <vector>

namespace clearmatch {
namespace {

enum class Edge { kTop, kBottom, kLeft, kRight };

// Luma 0..255 of one pixel, in integer arithmetic (Y = 0.299 R + 0.587 G +
// 0.114 B, within rounding), as PDQ weighs the channels.
template <PixelFormat kFormat>
inline uint8_t Luma(const uint8_t* p) {
  if constexpr (kFormat == PixelFormat::kRgb) {
    return static_cast<uint8_t>((77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >>
                                8);
  } else if constexpr (kFormat == PixelFormat::kBgr) {
    return static_cast<uint8_t>((29 * p[0] + 150 * p[1] + 77 * p[2] + 128) >>
                                8);
  } else {
    return p[0];
  }
}

// Calls `fn` with the pixel format as a compile-time constant
// (std::integral_constant), so that a loop inside it converts pixels
// without a branch per pixel.
template <typename Fn>
void WithFormat(PixelFormat format, Fn&& fn) {
  switch (format) {
    case PixelFormat::kGrey:
      return fn(std::integral_constant<PixelFormat, PixelFormat::kGrey>{});
    case PixelFormat::kRgb:
      return fn(std::integral_constant<PixelFormat, PixelFormat::kRgb>{});
    case PixelFormat::kBgr:
      return fn(std::integral_constant<PixelFormat, PixelFormat::kBgr>{});
  }
}

// How deep into `rect` a line of `edge` can go: its height for rows, its
// width for columns.
int Extent(const ContentRect& rect, Edge edge) {
  return edge == Edge::kTop || edge == Edge::kBottom ? rect.height : rect.width;
}

bool IsRowEdge(Edge edge) {
  return edge == Edge::kTop || edge == Edge::kBottom;
}

// The luma of the lines of one edge of a rectangle, counted inward from the
// edge. A line longer than kMaxLineSamples pixels is read at evenly spaced
// pixels (kMaxLineSamples of them or fewer): the fractions a border is
// judged by do not need more (the evaluation set's rectangles and matches
// are the same as with every pixel read), and a large image costs what a
// small one does.
// A row is converted when it is asked for; columns are gathered
// kStripColumns at a time, row by row: reading one column alone strides
// down the rows (every pixel of an RGB image another cache line), and the
// side borders of a photo are tens of columns deep.
class EdgeLumas {
 public:
  // Columns gathered at once (48 bytes of an RGB row).
  static constexpr int kStripColumns = 16;
  static constexpr int kMaxLineSamples = 256;

  // `scratch` holds the luma: at least kStripColumns * kMaxLineSamples
  // bytes.
  EdgeLumas(const PixelView& image, const ContentRect& rect, Edge edge,
            uint8_t* scratch)
      : image_(image),
        rect_(rect),
        edge_(edge),
        scratch_(scratch),
        step_((LineLength() + kMaxLineSamples - 1) / kMaxLineSamples),
        count_((LineLength() + step_ - 1) / step_) {}

  // Pixels measured per line.
  int count() const { return count_; }

  // The luma of the `depth`-th line (count() values), valid until the next
  // call.
  const uint8_t* Line(int depth) {
    if (IsRowEdge(edge_)) return Row(depth);
    if (strip_first_ < 0 || depth < strip_first_ ||
        depth >= strip_first_ + kStripColumns) {
      FillStrip(depth);
    }
    return scratch_ + static_cast<size_t>(depth - strip_first_) * count_;
  }

 private:
  int LineLength() const {
    return std::max(1, IsRowEdge(edge_) ? rect_.width : rect_.height);
  }

  const uint8_t* PixelAt(int x, int y) const {
    return image_.data + static_cast<size_t>(y) * image_.stride +
           static_cast<size_t>(x) * BytesPerPixel(image_.format);
  }

  const uint8_t* Row(int depth) {
    const int y = edge_ == Edge::kTop ? rect_.y + depth
                                      : rect_.y + rect_.height - 1 - depth;
    const uint8_t* p = PixelAt(rect_.x, y);
    const ptrdiff_t step = ptrdiff_t{step_} * BytesPerPixel(image_.format);
    WithFormat(image_.format, [&](auto format) {
      for (int i = 0; i < count_; ++i, p += step) {
        scratch_[i] = Luma<format()>(p);
      }
    });
    return scratch_;
  }

  // Columns `first` .. first + kStripColumns - 1 (those inside the rect)
  // into the strip, column k at scratch_ + k * count().
  void FillStrip(int first) {
    strip_first_ = first;
    const int columns = std::min(kStripColumns, rect_.width - first);
    const int bpp = BytesPerPixel(image_.format);
    // Columns inward from the right edge run leftward in memory.
    const int x0 = edge_ == Edge::kLeft ? rect_.x + first
                                        : rect_.x + rect_.width - 1 - first;
    const ptrdiff_t step = edge_ == Edge::kLeft ? bpp : -bpp;
    const size_t n = static_cast<size_t>(count_);
    WithFormat(image_.format, [&](auto format) {
      for (int i = 0; i < count_; ++i) {
        const uint8_t* p = PixelAt(x0, rect_.y + i * step_);
        for (int k = 0; k < columns; ++k, p += step) {
          scratch_[k * n + i] = Luma<format()>(p);
        }
      }
    });
  }

  const PixelView& image_;
  const ContentRect rect_;
  const Edge edge_;
  uint8_t* const scratch_;
  const int step_;   // pixels between two measured pixels of a line
  const int count_;  // pixels measured per line
  int strip_first_ = -1;
};

// The luma of a line as a border would have it: its median, refined to the
// mean of the pixels within `tolerance` of the median (robust to a few
// outliers), and the fraction of pixels outside that range.
struct LineLevel {
  double level = 0;
  double outlier_fraction = 0;
};

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

// The fraction of the line's pixels whose luma is further than `tolerance`
// from `level`.
double FractionFarFrom(const uint8_t* luma, int count, double level,
                       int tolerance) {
  int far = 0;
  for (int i = 0; i < count; ++i) {
    if (std::abs(luma[i] - level) > tolerance) ++far;
  }
  return static_cast<double>(far) / count;
}

// The runs of consecutive uniform lines of one edge, from the edge inward:
// a run is a flat band (its lines within band_tolerance of its first line's
// level). A gradient (a plain sky, a vignette) is a chain of runs each a
// small step from the last.
class BandSequence {
 public:
  // Runs beyond this are not kept: a border has ended long before.
  static constexpr int kMaxRuns = 64;

  explicit BandSequence(const BorderTrimOptions& options) : options_(options) {}

  // Starts the sequence with the border already trimmed at this edge (its
  // depth and last luma): a band just outside line 0, so that what follows
  // is border only as the rest of a frame, never the step into content.
  void StartAfterBorder(int depth, double level) {
    runs_[0] = Run{-std::max(depth, kWideBandLines), level, level};
    count_ = 1;
  }

  // Adds the next line (its level); false when there are too many runs
  // (the line is not added).
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
      if (SmallStep(i) && SmallStep(i + 1)) {
        return std::max(0, runs_[i - 1].start);
      }
    }
    return lines_;
  }

  // Where the border ends among the lines before `limit`: at the start of
  // the first wide band that follows a wide band across a clear step (a
  // flat region of the content next to the border, even if uniform), or
  // `limit`. A wide band is still border as part of a frame: after a thin
  // line (a bar, a line, a mat), or when the frame's colour resumes after it
  // (a line drawn inside a bar). A band under a quarter of the width of the
  // band before it counts as a line (a 2-pixel line blurred over 3).
  int BorderEnd(int limit) const {
    int last_wide = -1;
    for (int i = 0; i < count_ && runs_[i].start < limit; ++i) {
      if (!Wide(i, limit)) continue;
      if (last_wide >= 0 && 4 * Width(i, limit) <= Width(last_wide, limit)) {
        continue;
      }
      if (last_wide >= 0 && ClearStep(last_wide, i) &&
          !LineBetween(last_wide, i) && !FrameResumes(last_wide, i, limit)) {
        return std::max(0, runs_[i].start);
      }
      last_wide = i;
    }
    return limit;
  }

  // The start of the deepest run before line `depth` that begins with a
  // clear step from the run before it; 0 when there is none.
  int LastStepBefore(int depth) const {
    for (int i = count_ - 1; i > 0; --i) {
      if (runs_[i].start < depth && ClearStep(i - 1, i)) {
        return std::max(0, runs_[i].start);
      }
    }
    return 0;
  }

  // Whether the runs before line `depth` look like a border: few bands.
  bool FewBandsBefore(int depth) const {
    int wide = 0, narrow = 0;
    for (int i = 0; i < count_ && runs_[i].start < depth; ++i) {
      if (Wide(i, depth)) {
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

  int End(int i) const { return i + 1 < count_ ? runs_[i + 1].start : lines_; }

  // Lines of run `i` before `limit`.
  int Width(int i, int limit) const {
    return std::min(End(i), limit) - runs_[i].start;
  }

  // Whether run `i` has at least kWideBandLines lines before `limit`.
  bool Wide(int i, int limit) const {
    return Width(i, limit) >= kWideBandLines;
  }

  // Whether run `i` lies inside a frame: it is at the level of a wide band
  // before it (the frame's colour resumes), or it is no wider than the band
  // `last_wide` before it and a wide band after it (before `limit`) is.
  bool FrameResumes(int last_wide, int i, int limit) const {
    if (AtEarlierBandLevel(i, i, limit)) return true;
    if (Width(i, limit) > Width(last_wide, limit)) return false;
    for (int k = i + 1; k < count_ && runs_[k].start < limit; ++k) {
      if (Wide(k, limit) && AtEarlierBandLevel(k, i, limit)) return true;
    }
    return false;
  }

  // Whether run `k` is at the level of a wide band before run `before`.
  bool AtEarlierBandLevel(int k, int before, int limit) const {
    for (int j = 0; j < before; ++j) {
      if (Wide(j, limit) &&
          std::abs(runs_[k].first_level - runs_[j].last_level) <=
              2 * options_.band_tolerance) {
        return true;
      }
    }
    return false;
  }

  // Whether run `i` starts a small step (a gradient's) from run i - 1.
  bool SmallStep(int i) const {
    return std::abs(runs_[i].first_level - runs_[i - 1].last_level) <=
           2 * options_.band_tolerance;
  }

  // Whether run `b` starts more than a small step away from run `a`.
  bool ClearStep(int a, int b) const {
    return std::abs(runs_[b].first_level - runs_[a].last_level) >
           2 * options_.band_tolerance;
  }

  // Whether a narrow run between runs `a` and `b` is a thin line: clearly
  // darker or lighter than both (a blurred transition lies between them).
  bool LineBetween(int a, int b) const {
    const double low = std::min(runs_[a].last_level, runs_[b].first_level);
    const double high = std::max(runs_[a].last_level, runs_[b].first_level);
    for (int i = a + 1; i < b; ++i) {
      const double level = runs_[i].first_level;
      if (level < low - options_.pixel_tolerance ||
          level > high + options_.pixel_tolerance) {
        return true;
      }
    }
    return false;
  }

  const BorderTrimOptions& options_;
  std::array<Run, kMaxRuns> runs_{};
  int count_ = 0;
  int lines_ = 0;
};

// Whether the content clearly starts at line `depth`, just inside a border
// of luma `level`: one of the next lines has many pixels far from the
// border's luma, or, within two lines, many more than the border's last
// line (content that starts abruptly even though much of it is near the
// border's luma). Content that fades in gradually (a dark photo) does not.
bool ContentFollows(EdgeLumas& lines, int extent, int depth, double level,
                    const BorderTrimOptions& options) {
  const auto far_at = [&](int i) {
    return FractionFarFrom(lines.Line(i), lines.count(), level,
                           options.pixel_tolerance);
  };
  const double in_border = depth > 0 ? far_at(depth - 1) : 0.0;
  const int end =
      std::min(extent, depth + std::max(1, options.content_lookahead));
  for (int i = depth; i < end; ++i) {
    const double far = far_at(i);
    if (far >= options.min_content_fraction) return true;
    if (i < depth + 2 && far - in_border >= options.min_content_jump) {
      return true;
    }
  }
  return false;
}

// A border found at one edge: its depth (0: none) and the luma of its last
// line.
struct Border {
  int depth = 0;
  double level = 0;
};

// The border at `edge` of `rect` (depth 0 when there is none, it does not
// look like one, or every line is of one band). `outside`:
// the border already trimmed at this edge, if any.
Border FindBorder(const PixelView& image, const ContentRect& rect, Edge edge,
                  const std::optional<Border>& outside,
                  const BorderTrimOptions& options, uint8_t* scratch) {
  const int extent = Extent(rect, edge);
  EdgeLumas lines(image, rect, edge, scratch);
  BandSequence bands(options);
  if (outside) bands.StartAfterBorder(outside->depth, outside->level);
  int uniform = 0;
  for (; uniform < extent; ++uniform) {
    const LineLevel measured = MeasureLine(lines.Line(uniform), lines.count(),
                                           options.pixel_tolerance);
    if (measured.outlier_fraction > options.max_outlier_fraction) break;
    if (!bands.Add(measured.level)) break;  // the border ended long before
  }
  // The border ends where a gradient starts (uniform content fading in, a
  // sky), at the step to a flat region of the content, or at the first
  // non-uniform line, which must then be clearly different from the band.
  const int limit = std::min(bands.GradientStart(), uniform);
  int depth = bands.BorderEnd(limit);
  const int min_depth = std::max(1, options.min_border_pixels);
  const bool few = depth >= min_depth && bands.FewBandsBefore(depth);
  if (uniform == extent) {
    // Every line uniform: a flat picture in bars (a step between flat
    // bands) is trimmed to the bars; one flat band, or a gradient or
    // stripes from edge to edge (a plain sky; the shading of a wall between
    // bars already trimmed), has nothing to trim at this edge.
    if (few && limit == extent && depth < extent) {
      return Border{depth, bands.LevelBefore(depth)};
    }
    return Border{};
  }
  if (!few) return Border{};
  if (depth == uniform && !ContentFollows(lines, extent, depth,
                                          bands.LevelBefore(depth), options)) {
    // Uniform content beyond the border's last step fades into the
    // picture: the border ends at that step (nothing when there is none).
    depth = bands.LastStepBefore(depth);
    if (depth < min_depth) return Border{};
  }
  return Border{depth, bands.LevelBefore(depth)};
}

// The border trimmed so far at each edge (indexed by Edge).
using TrimmedBorders = std::array<std::optional<Border>, 4>;

// Trims each edge of `rect` once; returns whether anything was trimmed.
// Rows first, then columns over the rows left (so bars of different colours
// on adjacent sides are each uniform along the lines scanned). An edge
// trimmed before (`trimmed`) is trimmed further only by the rest of a frame
// (after a thin line): it has reached its step, and what is beyond is
// content even if it is uniform once the perpendicular bars are gone.
bool TrimOnce(const PixelView& image, const BorderTrimOptions& options,
              uint8_t* scratch, TrimmedBorders& trimmed, ContentRect& rect) {
  bool any = false;
  for (Edge edge : {Edge::kTop, Edge::kBottom, Edge::kLeft, Edge::kRight}) {
    if (rect.width <= 0 || rect.height <= 0) return any;
    std::optional<Border>& outside = trimmed[static_cast<int>(edge)];
    const Border border =
        FindBorder(image, rect, edge, outside, options, scratch);
    const int depth = border.depth;
    if (depth == 0) continue;
    any = true;
    outside = Border{depth + (outside ? outside->depth : 0), border.level};
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
  return any;
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
  TrimmedBorders trimmed{};
  std::vector<uint8_t> scratch(static_cast<size_t>(EdgeLumas::kStripColumns) *
                               EdgeLumas::kMaxLineSamples);
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    if (!TrimOnce(image, options, scratch.data(), trimmed, rect)) break;
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
