// JPEG to pixels with libjpeg-turbo, from memory. Internal to decoders/
// (DecodeImage checks the limits, the structure and polyglots first).
//
// Output: 8-bit BGR, as libjpeg-turbo converts YCbCr, RGB and greyscale
// (JCS_EXT_BGR, the library's default IDCT and upsampling); 4-component
// CMYK and YCCK files are read as CMYK and converted with
// c' = k - ((255 - c) * k >> 8) per channel (Adobe's inverted CMYK, as
// OpenCV does). DCT scaling gives 1/2, 1/4 or 1/8 of the size at a fraction
// of the cost. libjpeg's warnings and errors never reach stderr: an error is
// INVALID_ARGUMENT with libjpeg's message. Budgets (RESOURCE_EXHAUSTED): a
// scan past limits.max_jpeg_scans stops the decode (libjpeg's progress
// monitor, as libjpeg-turbo's djpeg -maxscans does); the output and, for a
// file of several scans, its coefficient buffer must fit
// limits.max_decoded_bytes (checked before libjpeg allocates them; libjpeg's
// own max_memory_to_use is set to the same as a backstop). Thread-safe.
#ifndef CLEARMATCH_DECODERS_JPEG_DECODER_H_
#define CLEARMATCH_DECODERS_JPEG_DECODER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "decoders/decode_limits.h"
#include "decoders/decoded_image.h"
#include "decoders/image_header.h"

namespace clearmatch::decoders_internal {

// Decodes `bytes` at 1/scale_denom of its size (1, 2, 4 or 8). The decoded
// size and bytes are checked against `limits` before any pixel buffer is
// allocated.
absl::StatusOr<DecodedImage> DecodeJpeg(absl::Span<const uint8_t> bytes,
                                        const ImageHeaderInfo& header,
                                        const ImageDecodeLimits& limits,
                                        int scale_denom);

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_JPEG_DECODER_H_
