// PNG to pixels with libpng, from memory. Internal to decoders/ (DecodeImage
// checks the limits, the structure and polyglots first).
//
// Output, for every colour type and bit depth: greyscale stays 8-bit grey
// (1, 2 and 4-bit expanded); grey + alpha, palette, RGB and RGBA become 8-bit
// BGR. Alpha and tRNS are dropped, never composited; 16-bit samples become
// round(v / 257) as rows are read (only the 8-bit image is held). Interlaced
// images are de-interlaced. libpng's warnings and errors never reach stderr:
// an error is INVALID_ARGUMENT with libpng's message.
//
// Budgets: the bytes the rows inflate to (16-bit as 16-bit, every interlace
// pass) are checked from IHDR against limits.max_decoded_bytes
// (RESOURCE_EXHAUSTED); ancillary chunks other than tRNS are skipped
// unparsed (text and ICC profiles are compressed: bombs); more than 64 KiB of
// compressed data after the last row is refused (INVALID_ARGUMENT: libpng
// would inflate it all to find the stream's end). Thread-safe.
#ifndef CLEARMATCH_DECODERS_PNG_DECODER_H_
#define CLEARMATCH_DECODERS_PNG_DECODER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "decoders/decode_limits.h"
#include "decoders/decoded_image.h"

namespace clearmatch::decoders_internal {

absl::StatusOr<DecodedImage> DecodePng(absl::Span<const uint8_t> bytes,
                                       const ImageDecodeLimits& limits);

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_PNG_DECODER_H_
