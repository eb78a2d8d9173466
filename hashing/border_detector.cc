#include "hashing/border_detector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <vector>

#include "hashing/band_sequence.h"
#include "hashing/edge_lumas.h"

namespace clearmatch {
namespace {

using border_scan::BandSequence;
using border_scan::Border;
using border_scan::Edge;
using border_scan::EdgeLumas;
using border_scan::Extent;
using border_scan::FractionFarFrom;
using border_scan::LineLevel;
using border_scan::MeasureLine;

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
      return bands.BorderAt(depth);
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
  return bands.BorderAt(depth);
}

Edge Opposite(Edge edge) {
  switch (edge) {
    case Edge::kTop:
      return Edge::kBottom;
    case Edge::kBottom:
      return Edge::kTop;
    case Edge::kLeft:
      return Edge::kRight;
    case Edge::kRight:
      return Edge::kLeft;
  }
  return edge;
}

// Moves `edge` of `rect` inward by `depth` lines.
void Inset(Edge edge, int depth, ContentRect& rect) {
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
    Border total = border;
    if (outside) {
      // Trimmed further as the rest of a frame: one frame with the first
      // border when that was one band and the frame's colour resumes (a
      // line drawn in a bar), else a band of the picture's own.
      const bool one_frame =
          outside->outer_depth == outside->depth &&
          std::abs(border.band_level - outside->outer_level) <=
              2 * options.band_tolerance;
      total.depth += outside->depth;
      total.outer_depth = one_frame ? total.depth : outside->outer_depth;
      total.outer_level = outside->outer_level;
    }
    outside = total;
    Inset(edge, depth, rect);
  }
  return any;
}

// Whether the first `count` lines of `edge` of `rect` are uniform at the
// luma `level` (a border's lines).
bool LinesAtLevel(const PixelView& image, const ContentRect& rect, Edge edge,
                  int count, double level, const BorderTrimOptions& options,
                  uint8_t* scratch) {
  if (count >= Extent(rect, edge)) return false;
  EdgeLumas lines(image, rect, edge, scratch);
  for (int i = 0; i < count; ++i) {
    const LineLevel measured =
        MeasureLine(lines.Line(i), lines.count(), options.pixel_tolerance);
    if (measured.outlier_fraction > options.max_outlier_fraction ||
        std::abs(measured.level - level) > 2 * options.band_tolerance) {
      return false;
    }
  }
  return true;
}

// `rect` (trimmed by `borders`) with each edge whose border is shallower
// than the opposite edge's made as deep when the lines in between are
// uniform at the opposite border's luma: a frame of equal sides, one of
// them against an edge of the picture in the border's own luma (no step
// there to see; the opposite side says how deep the frame is).
ContentRect CompleteFrame(const PixelView& image, ContentRect rect,
                          const TrimmedBorders& borders,
                          const BorderTrimOptions& options, uint8_t* scratch) {
  for (Edge edge : {Edge::kTop, Edge::kBottom, Edge::kLeft, Edge::kRight}) {
    const std::optional<Border>& own = borders[static_cast<int>(edge)];
    const std::optional<Border>& opposite =
        borders[static_cast<int>(Opposite(edge))];
    if (!opposite) continue;
    const int missing = opposite->depth - (own ? own->depth : 0);
    if (missing < std::max(1, options.min_border_pixels)) continue;
    if (LinesAtLevel(image, rect, edge, missing, opposite->band_level, options,
                     scratch)) {
      Inset(edge, missing, rect);
    }
  }
  return rect;
}

// The added frame alone: each edge trimmed to the end of its outermost band
// when another edge's outermost band is of its luma (one frame of one
// colour), not at all when none is (a strip or a border of the picture's
// own, which the hash of the whole picture has).
ContentRect OuterFrame(const PixelView& image, const TrimmedBorders& borders,
                       const BorderTrimOptions& options) {
  ContentRect rect{0, 0, image.width, image.height};
  for (int e = 0; e < 4; ++e) {
    if (!borders[e]) continue;
    bool shared = false;
    for (int other = 0; other < 4; ++other) {
      shared |= other != e && borders[other] &&
                std::abs(borders[other]->outer_level -
                         borders[e]->outer_level) <= 2 * options.band_tolerance;
    }
    if (shared) Inset(static_cast<Edge>(e), borders[e]->outer_depth, rect);
  }
  return rect;
}

int MinContentSide(int side, const BorderTrimOptions& options) {
  const int by_fraction =
      static_cast<int>(std::ceil(side * options.min_content_side_fraction));
  return std::max({1, options.min_content_pixels, by_fraction});
}

// Whether `width` x `height` of `image` is enough content to hash apart.
bool BigEnough(const PixelView& image, int width, int height,
               const BorderTrimOptions& options) {
  return width >= MinContentSide(image.width, options) &&
         height >= MinContentSide(image.height, options);
}

// The rectangle inside every border of `image` (TrimOnce, in up to three
// passes) and the borders trimmed; false when there is none, or too little
// is left.
bool TrimBorders(const PixelView& image, const BorderTrimOptions& options,
                 std::vector<uint8_t>& scratch, TrimmedBorders& trimmed,
                 ContentRect& rect) {
  if (image.data == nullptr ||
      !BigEnough(image, image.width, image.height, options)) {
    return false;
  }
  rect = ContentRect{0, 0, image.width, image.height};
  scratch.resize(static_cast<size_t>(EdgeLumas::kStripColumns) *
                 EdgeLumas::kMaxLineSamples);
  // A border's sides are found in one pass; more catch bars that only
  // become uniform lines once the perpendicular bars are gone.
  constexpr int kMaxPasses = 3;
  bool trimmed_any = false;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    if (!TrimOnce(image, options, scratch.data(), trimmed, rect)) break;
    trimmed_any = true;
  }
  return trimmed_any && BigEnough(image, rect.width, rect.height, options);
}

}  // namespace

std::optional<ContentRect> FindContentRect(const PixelView& image,
                                           const BorderTrimOptions& options) {
  std::vector<uint8_t> scratch;
  TrimmedBorders trimmed{};
  ContentRect rect;
  if (!TrimBorders(image, options, scratch, trimmed, rect)) {
    return std::nullopt;
  }
  return rect;
}

std::optional<ContentRects> FindContentRects(const PixelView& image,
                                             const BorderTrimOptions& options) {
  std::vector<uint8_t> scratch;
  TrimmedBorders trimmed{};
  ContentRects rects;
  if (!TrimBorders(image, options, scratch, trimmed, rects.content)) {
    return std::nullopt;
  }
  const auto differs = [&](const ContentRect& r) {
    return r != rects.content &&
           r != ContentRect{0, 0, image.width, image.height} &&
           BigEnough(image, r.width, r.height, options);
  };
  const ContentRect completed =
      CompleteFrame(image, rects.content, trimmed, options, scratch.data());
  if (differs(completed)) {
    rects.alternative = completed;
    return rects;
  }
  const ContentRect outer = OuterFrame(image, trimmed, options);
  if (differs(outer)) rects.alternative = outer;
  return rects;
}

std::vector<ContentRect> FindContentReadings(const PixelView& image,
                                             const BorderTrimOptions& options) {
  std::vector<ContentRect> readings;
  const std::optional<ContentRects> rects = FindContentRects(image, options);
  if (!rects) return readings;
  const ContentRect& c = rects->content;
  readings.push_back(c);
  if (rects->alternative) readings.push_back(*rects->alternative);
  const bool both_axes = c.height < image.height && c.width < image.width;
  if (both_axes) {
    for (const ContentRect& axis :
         {ContentRect{0, c.y, image.width, c.height},
          ContentRect{c.x, 0, c.width, image.height}}) {
      if (std::find(readings.begin(), readings.end(), axis) == readings.end()) {
        readings.push_back(axis);
      }
    }
  }
  return readings;
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
