// ImageHeader: an image's dimensions read from its header, without decoding
// any pixel, so that limits can be enforced before a decoder allocates.
#ifndef CLEARMATCH_DECODERS_IMAGE_HEADER_H_
#define CLEARMATCH_DECODERS_IMAGE_HEADER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace clearmatch {

// Header facts read without decoding pixels.
struct ImageHeaderInfo {
  int width = 0;   // pixels, > 0
  int height = 0;  // pixels, > 0
};

// Reads the dimensions from the header of a JPEG (first SOFn segment), PNG
// (IHDR), WebP (VP8, VP8L or VP8X chunk) or GIF (the larger of the logical
// screen and the first image's extent). The format is sniffed from the magic
// bytes. INVALID_ARGUMENT, naming the format and the problem, when the bytes
// are not one of these formats or the header is truncated or malformed, or a
// dimension is 0. Reads only the bytes it needs (bounded time). Thread-safe.
absl::StatusOr<ImageHeaderInfo> ReadImageHeader(
    absl::Span<const uint8_t> bytes);

}  // namespace clearmatch

#endif  // CLEARMATCH_DECODERS_IMAGE_HEADER_H_
