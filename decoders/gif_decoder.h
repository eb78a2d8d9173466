// GIF (still or animated) to pixels: the first frame, decoded by FFmpeg's gif
// decoder from memory (OpenCV 4.6 has no GIF reader). Thread-safe.
#ifndef CLEARMATCH_DECODERS_GIF_DECODER_H_
#define CLEARMATCH_DECODERS_GIF_DECODER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "decoders/decode_limits.h"
#include "decoders/image_decoder.h"

namespace clearmatch {

// First frame of a GIF as 8-bit BGR (transparent pixels as decoded, no
// compositing). Limits are checked on the logical screen size from the header
// before decoding and again on the decoded frame.
absl::StatusOr<DecodedImage> DecodeGifFirstFrame(
    absl::Span<const uint8_t> bytes, const ImageDecodeLimits& limits);

}  // namespace clearmatch

#endif  // CLEARMATCH_DECODERS_GIF_DECODER_H_
