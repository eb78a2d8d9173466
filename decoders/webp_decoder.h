// WebP (still, lossy or lossless) to 8-bit BGR with libwebp, from memory;
// alpha is dropped, never composited. Internal to decoders/ (DecodeImage
// checks the limits, the structure and polyglots first, and refuses
// animations). INVALID_ARGUMENT naming libwebp's status on a bad bitstream;
// RESOURCE_EXHAUSTED when the output (and, lossless, libwebp's ARGB image)
// would exceed limits.max_decoded_bytes. Thread-safe.
#ifndef CLEARMATCH_DECODERS_WEBP_DECODER_H_
#define CLEARMATCH_DECODERS_WEBP_DECODER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "decoders/decode_limits.h"
#include "decoders/decoded_image.h"

namespace clearmatch::decoders_internal {

absl::StatusOr<DecodedImage> DecodeWebp(absl::Span<const uint8_t> bytes,
                                        const ImageDecodeLimits& limits);

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_WEBP_DECODER_H_
