// PixelBuffer: the 8-bit pixels a still-image decoder writes, handed on as a
// DecodedImage without a copy. Internal to decoders/.
//
//   PixelBuffer buffer(width, height, PixelFormat::kBgr);
//   for (int y = 0; y < height; ++y) Decode a row into buffer.row(y) ...
//   return std::move(buffer).Finish(header.width, header.height);
//
// The memory is not zeroed: a decoder writes every row (or fills it first).
#ifndef CLEARMATCH_DECODERS_PIXEL_BUFFER_H_
#define CLEARMATCH_DECODERS_PIXEL_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "decoders/decoded_image.h"
#include "hashing/pixel_view.h"

namespace clearmatch::decoders_internal {

class PixelBuffer {
 public:
  // width, height > 0, checked against the limits by the caller.
  PixelBuffer(int width, int height, PixelFormat format)
      : width_(width),
        height_(height),
        format_(format),
        stride_(static_cast<size_t>(width) * BytesPerPixel(format)),
        data_(new uint8_t[stride_ * static_cast<size_t>(height)]) {}

  uint8_t* row(int y) { return data_.get() + stride_ * y; }
  uint8_t* data() { return data_.get(); }
  size_t stride() const { return stride_; }
  size_t size() const { return stride_ * static_cast<size_t>(height_); }

  // The pixels as an immutable image; `source_*` are the file's dimensions.
  DecodedImage Finish(int source_width, int source_height) && {
    const PixelView view{.data = data_.get(),
                         .width = width_,
                         .height = height_,
                         .stride = stride_,
                         .format = format_};
    return DecodedImage(std::shared_ptr<const void>(std::move(data_)), view,
                        source_width, source_height);
  }

 private:
  int width_;
  int height_;
  PixelFormat format_;
  size_t stride_;
  std::shared_ptr<uint8_t[]> data_;
};

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_PIXEL_BUFFER_H_
