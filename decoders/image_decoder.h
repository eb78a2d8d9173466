// ImageDecoder: decodes an allowed still image (JPEG, PNG, WebP) from memory
// with OpenCV into 8-bit BGR or grey pixels, after checking the header's
// dimensions against ImageDecodeLimits.
//
//   absl::StatusOr<DecodedImage> image = DecodeImage(bytes, limits, 512);
//   PdqResult r = hasher.Hash(image->view());
//
// Alpha is dropped (not composited), CMYK converted, 16-bit reduced to 8,
// palettes expanded. EXIF orientation is NOT applied (as the PDQ reference).
// Animated images give their first frame. Thread-safe (no shared state).
#ifndef CLEARMATCH_DECODERS_IMAGE_DECODER_H_
#define CLEARMATCH_DECODERS_IMAGE_DECODER_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "decoders/decode_limits.h"
#include "hashing/pixel_view.h"

namespace clearmatch {

// Decoded pixels; owns its buffer (type-erased so no OpenCV type leaks out).
class DecodedImage {
 public:
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

// Header facts read without decoding pixels.
struct ImageHeaderInfo {
  int width = 0;
  int height = 0;
};

// Reads the dimensions from the header of a JPEG, PNG, WebP or GIF.
// INVALID_ARGUMENT when the header is missing, truncated or malformed.
absl::StatusOr<ImageHeaderInfo> ReadImageHeader(absl::Span<const uint8_t> bytes);

// Decodes `bytes`. When `min_decoded_side` > 0 and the format supports it
// (JPEG DCT scaling), the image may be decoded at 1/2, 1/4 or 1/8 size as long
// as its longer side stays >= min_decoded_side; pass 0 for full size.
// Errors: INVALID_ARGUMENT (not an allowed image, malformed, polyglot),
// RESOURCE_EXHAUSTED (over a limit).
absl::StatusOr<DecodedImage> DecodeImage(absl::Span<const uint8_t> bytes,
                                         const ImageDecodeLimits& limits,
                                         int min_decoded_side);

}  // namespace clearmatch

#endif  // CLEARMATCH_DECODERS_IMAGE_DECODER_H_
