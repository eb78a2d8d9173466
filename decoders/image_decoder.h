// ImageDecoder: decodes an allowed still image (JPEG, PNG, WebP; GIF through
// DecodeGifFirstFrame) from memory into 8-bit BGR or grey pixels, after
// checking the header's dimensions against ImageDecodeLimits.
//
//   absl::StatusOr<DecodedImage> image = DecodeImage(bytes, limits, 512);
//   PdqResult r = hasher.Hash(image->view());
//
// Allow-list: jpeg, png, webp, gif (sniffed from magic bytes). Everything
// else is refused with INVALID_ARGUMENT naming the detected format: bmp, tiff,
// openexr, heif/avif, pdf, video containers, unknown bytes (each extra format
// is extra decoder attack surface, and clearinghouse hashes are made from the
// formats platforms accept).
//
// Checks, in this order, all before any pixel is decoded:
//   1. size > limits.max_bytes                       -> RESOURCE_EXHAUSTED
//   2. empty                                         -> INVALID_ARGUMENT
//   3. not an allowed image                          -> INVALID_ARGUMENT
//   4. header width/height > max_side, or
//      width*height > max_pixels                     -> RESOURCE_EXHAUSTED
//   5. structure: a JPEG must reach its EOI marker, a PNG its IEND chunk, a
//      WebP its RIFF size, a GIF its trailer; a truncated file is refused
//      (decoders would pad it with grey)             -> INVALID_ARGUMENT
//   6. polyglot: a video container (ISO BMFF 'ftyp' box, EBML header) after
//      the image's end                               -> INVALID_ARGUMENT
//      (other trailing bytes, as cameras append, are accepted).
//   7. JPEG scans > max_jpeg_scans, GIF frames > max_gif_frames, counted
//      by the structure walk                         -> RESOURCE_EXHAUSTED
//   8. each decoder, from the format's own header: the bytes the decode
//      would produce > max_decoded_bytes             -> RESOURCE_EXHAUSTED
// The decoded size is checked against the limits again (headers can lie),
// libjpeg's progress monitor counts scans again while decoding, and libjpeg's
// own memory is capped at max_decoded_bytes.
// Limits and their defaults are in decode_limits.h (64 MiB, 64 MP, 16384 px,
// 100 scans, 512 MiB decoded).
//
// Pixels: alpha is dropped (not composited), CMYK converted, 16-bit reduced
// to 8 (v / 257, rounded, as the rows are read), palettes expanded; grey stays
// grey (kGrey), colour is kBgr. EXIF orientation is NOT applied (as the PDQ
// reference). Animated GIFs give their first frame; animated WebP is refused.
//
// Decoders: libjpeg-turbo, libpng, libwebp and giflib, called directly (one
// decoder per allowed format and nothing else loaded: see docs/DECODERS.md).
// Their messages never reach stderr.
//
// Threading: thread-safe (no shared state); each decode runs on the calling
// thread only (the daemon parallelises across requests). Media stays in
// memory (every decoder reads from the buffer; nothing is written to disk).
#ifndef CLEARMATCH_DECODERS_IMAGE_DECODER_H_
#define CLEARMATCH_DECODERS_IMAGE_DECODER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "decoders/decode_limits.h"
#include "decoders/decoded_image.h"
#include "decoders/image_header.h"

namespace clearmatch {

// Decodes `bytes`. When `min_decoded_side` > 0 and the format supports it
// (JPEG DCT scaling), the image is decoded at the smallest of 1/8, 1/4 or
// 1/2 size whose longer side, ceil(max(w, h) / s), is still >=
// min_decoded_side; pass 0 for full size. source_width()/source_height() are
// always the stored dimensions.
// Errors: INVALID_ARGUMENT (not an allowed image, malformed, truncated,
// polyglot), RESOURCE_EXHAUSTED (over a limit).
absl::StatusOr<DecodedImage> DecodeImage(absl::Span<const uint8_t> bytes,
                                         const ImageDecodeLimits& limits,
                                         int min_decoded_side);

}  // namespace clearmatch

#endif  // CLEARMATCH_DECODERS_IMAGE_DECODER_H_
