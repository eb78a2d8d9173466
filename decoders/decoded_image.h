// DecodedImage: decoded pixels handed from decoders/ to hashing/. The pixel
// buffer is owned through a type-erased shared_ptr so no decoder library type
// (cv::Mat, AVFrame) appears in a public header.
#ifndef CLEARMATCH_DECODERS_DECODED_IMAGE_H_
#define CLEARMATCH_DECODERS_DECODED_IMAGE_H_

#include <memory>
#include <utility>

#include "hashing/pixel_view.h"

namespace clearmatch {

// Immutable after construction; copies share the same pixels. Thread-safe.
class DecodedImage {
 public:
  // `owner` keeps `view.data` alive for as long as any copy of this object.
  DecodedImage(std::shared_ptr<const void> owner, PixelView view,
               int source_width, int source_height)
      : owner_(std::move(owner)),
        view_(view),
        source_width_(source_width),
        source_height_(source_height) {}

  const PixelView& view() const { return view_; }
  // Dimensions stored in the file (the view may be a reduced-size decode).
  int source_width() const { return source_width_; }
  int source_height() const { return source_height_; }

 private:
  std::shared_ptr<const void> owner_;
  PixelView view_;
  int source_width_;
  int source_height_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DECODERS_DECODED_IMAGE_H_
