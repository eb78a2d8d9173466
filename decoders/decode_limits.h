// DecodeLimits: the bounds every decode of untrusted media respects. Images
// are checked against them from the header, before any pixel is decoded.
#ifndef CLEARMATCH_DECODERS_DECODE_LIMITS_H_
#define CLEARMATCH_DECODERS_DECODE_LIMITS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace clearmatch {

struct ImageDecodeLimits {
  // Largest accepted file (bytes). 64 MiB holds any camera JPEG.
  int64_t max_bytes = int64_t{64} << 20;
  // Largest width*height. 64 MP covers 48/50 MP phone sensors; a 3-channel
  // decode of that size takes 192 MB.
  int64_t max_pixels = int64_t{64} << 20;
  // Longest accepted side (pixels).
  int max_side = 16384;
};

// OK when width x height fits the limits; `what` names the image in the
// message ("jpeg", "decoded png", "GIF frame"). INVALID_ARGUMENT for a zero
// or negative side, RESOURCE_EXHAUSTED over max_side or max_pixels.
absl::Status CheckImageDimensions(absl::string_view what, int64_t width,
                                  int64_t height,
                                  const ImageDecodeLimits& limits);

}  // namespace clearmatch

#endif  // CLEARMATCH_DECODERS_DECODE_LIMITS_H_
