// Border and letterbox detection: the content rectangle inside uniform or
// near-uniform borders of an image or a video frame, so that the content can
// be hashed as well as the whole picture (a border added to a photo moves its
// PDQ ~100 bits; the trimmed content hashes within a few bits of the
// original).
//
//   std::optional<ContentRect> rect = FindContentRect(view, {});
//   if (rect) hasher.Hash(CropView(view, *rect));
//   // Images: also the second reading of the border, when there is one.
//   std::optional<ContentRects> rects = FindContentRects(view, {});
//
// Works on luma (what PDQ sees): each edge is scanned inward line by line
// (rows for the top and bottom, columns for the sides); a line is uniform
// when its luma is within a tolerance, a few outliers allowed (JPEG and
// codec noise), and consecutive uniform lines of one level are a band. A
// border is a flat band at the edge, or a few (a frame: bars, thin lines,
// a line drawn inside a bar), ending at a clear step; what is beyond the
// step is content even when it is uniform too: the border is trimmed to the
// step, never beyond it. So the border ends
//   - where a gradient starts (a plain sky, a wallpaper's vertical
//     gradient: uniform lines each a small step from the last);
//   - at the first wide band after a border band across a clear step, unless
//     it lies inside a frame (after a thin line, or the frame's colour
//     resumes after it): a flat region of the picture next to the border
//     (a white wall, a black night sky, a grey strip) stays in the content;
//   - otherwise at the first non-uniform line, which must be clearly
//     different from the band (many pixels far from its luma, or abruptly
//     more than in the border); when the content fades in instead, at the
//     border's last clear step, or nowhere (a dark photo is not a border).
// Rows are trimmed first, then columns over the rows left, in up to three
// passes (bars that only become uniform lines once the perpendicular bars
// are gone); an edge trimmed once is trimmed further only by the rest of a
// frame. The side edges' columns are read as strips of 16, row by row
// (cache-friendly); a line over 256 pixels is measured at 256 evenly
// spaced pixels (every line is still measured, so the rectangle is exact to
// the pixel), so that a large image (a uniform 8192x8192 one is scanned
// from all four edges to the far side) costs what a small one does. Pure
// computation, no I/O, one allocation (that strip); thread-safe.
#ifndef CLEARMATCH_HASHING_BORDER_DETECTOR_H_
#define CLEARMATCH_HASHING_BORDER_DETECTOR_H_

#include <optional>
#include <vector>

#include "hashing/pixel_view.h"

namespace clearmatch {

// A rectangle of an image, in pixels: columns [x, x + width), rows
// [y, y + height).
struct ContentRect {
  int x = 0, y = 0, width = 0, height = 0;

  friend bool operator==(const ContentRect&, const ContentRect&) = default;
};

// Tolerances of FindContentRect; the defaults work for JPEG-noisy photos
// (quality 75 and up) and for decoded video frames.
struct BorderTrimOptions {
  // A pixel belongs to a uniform line when its luma (0..255) is within this
  // of the line's median luma.
  int pixel_tolerance = 12;
  // A line is uniform when at most this fraction of its pixels are not.
  double max_outlier_fraction = 0.05;
  // A band is a run of uniform lines whose mean luma stays within this of
  // the band's first line; a line outside it starts a new band. Two bands
  // more than twice this apart are a clear step; less, a gradient's step.
  double band_tolerance = 3.0;
  // At most this many bands of 3 lines or more, and this many narrower runs
  // (thin lines, and the blurred transitions between bands), per edge. A
  // gradient is many bands: not a border.
  int max_wide_bands = 3;
  int max_narrow_runs = 6;
  // An edge is trimmed only when its border is at least this deep (a single
  // uniform line at the edge of a photo changes nothing worth a hash).
  int min_border_pixels = 2;
  // The first content line must be clearly different from the band: within
  // `content_lookahead` lines of the border, one line has at least
  // `min_content_fraction` of its pixels further than pixel_tolerance from
  // the band's luma; or, within two lines of the border, one line has at
  // least `min_content_jump` more such pixels than the border's last line
  // (content that starts abruptly although much of it is near the border's
  // luma). Gradual dark content does neither.
  double min_content_fraction = 0.25;
  double min_content_jump = 0.10;
  int content_lookahead = 8;
  // The content left must be at least this fraction of each side and at
  // least this many pixels on each side; otherwise nothing is trimmed (a
  // uniform image, or a picture that is almost all border, has no content
  // worth hashing apart).
  double min_content_side_fraction = 0.25;
  int min_content_pixels = 32;
};

// The content inside uniform or near-uniform borders (any colour; JPEG/codec
// noise tolerated; frames of bands and thin lines, asymmetric widths), cut
// at the border's step. nullopt when there is no border to trim, or trimming
// would eat into content (a dark photo is not a border; a uniform image has
// no content).
std::optional<ContentRect> FindContentRect(const PixelView& image,
                                           const BorderTrimOptions& options);

// The content rectangle as FindContentRect finds it and, where the pixels
// allow a second reading of where the border ends, that one: the
// outermost steps only (a picture with a flat strip or a border of its own
// inside the added one), with a frame's side that lies against a picture
// edge of the border's own luma made as deep as the opposite side.
struct ContentRects {
  ContentRect content;
  std::optional<ContentRect> alternative;  // different from `content`
};
std::optional<ContentRects> FindContentRects(const PixelView& image,
                                             const BorderTrimOptions& options);

// Every reading of where a video frame's bars end, the likeliest first: the
// content rectangle, FindContentRects' alternative, then, when bars were
// found on both axes, each axis's bars alone (a pillarboxed video re-posted
// inside letterbox bars keeps its own pillars; a letterboxed one inside
// pillars, its own bars). Distinct rectangles, at most kMaxContentReadings;
// empty when there is no border to trim.
inline constexpr int kMaxContentReadings = 4;
std::vector<ContentRect> FindContentReadings(const PixelView& image,
                                             const BorderTrimOptions& options);

// The view of `rect` inside `image` (borrowing the same pixels). `rect` must
// lie inside the image.
PixelView CropView(const PixelView& image, const ContentRect& rect);

}  // namespace clearmatch

#endif  // CLEARMATCH_HASHING_BORDER_DETECTOR_H_
