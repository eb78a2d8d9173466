// GIF (still or animated) to pixels: the first frame, decoded by giflib from
// memory. Thread-safe.
#ifndef CLEARMATCH_DECODERS_GIF_DECODER_H_
#define CLEARMATCH_DECODERS_GIF_DECODER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "decoders/decode_limits.h"
#include "decoders/decoded_image.h"

namespace clearmatch {

// The first frame of a GIF as 8-bit BGR on its logical screen: the screen
// starts as the global background colour (black when the GIF has no global
// colour table or the frame declares a transparent colour), the frame is
// drawn at its offset (clipped to the screen), and its transparent pixels
// leave the screen as it was; no compositing. Limits are checked on the
// logical screen and on the frame before anything is allocated, and the
// screen's bytes plus the frame's pixels against limits.max_decoded_bytes
// (RESOURCE_EXHAUSTED). Only the first frame is decoded; DecodeImage bounds
// the number of frames (max_gif_frames) before calling this.
// INVALID_ARGUMENT with giflib's message for malformed or truncated input.
absl::StatusOr<DecodedImage> DecodeGifFirstFrame(
    absl::Span<const uint8_t> bytes, const ImageDecodeLimits& limits);

}  // namespace clearmatch

#endif  // CLEARMATCH_DECODERS_GIF_DECODER_H_
