// PixelView: a borrowed, read-only view of 8-bit interleaved pixels, the only
// image type the hashing module sees (it never decodes anything itself).
#ifndef CLEARMATCH_HASHING_PIXEL_VIEW_H_
#define CLEARMATCH_HASHING_PIXEL_VIEW_H_

#include <cstddef>
#include <cstdint>

namespace clearmatch {

enum class PixelFormat {
  kGrey,  // 1 byte per pixel
  kRgb,   // 3 bytes per pixel, R G B
  kBgr,   // 3 bytes per pixel, B G R (OpenCV's native order)
};

inline int BytesPerPixel(PixelFormat format) {
  return format == PixelFormat::kGrey ? 1 : 3;
}

struct PixelView {
  const uint8_t* data = nullptr;  // first byte of the top row; not owned
  int width = 0;                  // pixels
  int height = 0;                 // pixels
  size_t stride = 0;              // bytes from one row to the next
  PixelFormat format = PixelFormat::kRgb;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_HASHING_PIXEL_VIEW_H_
