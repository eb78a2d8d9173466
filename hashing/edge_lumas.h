// Internal to FindContentRect (hashing/border_detector.cc): the luma of the
// lines of a rectangle's edges, as the border scan reads them, and how
// uniform a line is.
#ifndef CLEARMATCH_HASHING_EDGE_LUMAS_H_
#define CLEARMATCH_HASHING_EDGE_LUMAS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "hashing/border_detector.h"
#include "hashing/pixel_view.h"

namespace clearmatch::border_scan {

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
inline int Extent(const ContentRect& rect, Edge edge) {
  return edge == Edge::kTop || edge == Edge::kBottom ? rect.height : rect.width;
}

inline bool IsRowEdge(Edge edge) {
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
LineLevel MeasureLine(const uint8_t* luma, int count, int tolerance);

// The fraction of the line's pixels whose luma is further than `tolerance`
// from `level`.
double FractionFarFrom(const uint8_t* luma, int count, double level,
                       int tolerance);

}  // namespace clearmatch::border_scan

#endif  // CLEARMATCH_HASHING_EDGE_LUMAS_H_
