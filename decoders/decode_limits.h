// DecodeLimits: the bounds every decode of untrusted media respects. Images
// are checked against them from the header, before any pixel is decoded.
//
// Budgets against decoder bombs (small files that cost a lot):
//   - max_jpeg_scans: a progressive JPEG may hold thousands of scans, each a
//     pass over the whole coefficient buffer (0.5 MB, 8192x8192, 3000 scans:
//     about 20 s of CPU). Counted from the markers before decoding, and by
//     libjpeg's progress monitor while decoding.
//   - max_decoded_bytes: what one decode produces before any reduction, so
//     that 16-bit and zlib bombs inside the pixel limit are refused from the
//     header (see CheckDecodedBytes for what each format counts).
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
  // Most scans of one JPEG (progressive JPEGs from encoders have about 10;
  // libjpeg-turbo's own tools suggest a limit of 100 for untrusted input).
  int max_jpeg_scans = 100;
  // Most bytes one image decode may produce (see CheckDecodedBytes). 512 MiB
  // admits every 8-bit image at the default pixel limit.
  int64_t max_decoded_bytes = int64_t{512} << 20;
  // Most frames of one GIF. Only the first is decoded; the others are only
  // walked over, so this bound is generous.
  int64_t max_gif_frames = 65536;
};

// OK when width x height fits the limits; `what` names the image in the
// message ("jpeg", "decoded png", "GIF frame"). INVALID_ARGUMENT for a zero
// or negative side, RESOURCE_EXHAUSTED over max_side or max_pixels.
absl::Status CheckImageDimensions(absl::string_view what, int64_t width,
                                  int64_t height,
                                  const ImageDecodeLimits& limits);

// OK when a decode that produces `bytes` fits max_decoded_bytes, else
// RESOURCE_EXHAUSTED naming `what` ("png 8192x8192, 16-bit, 4 channels"),
// the bytes and the limit. What each decoder counts, all known from the
// header before decoding:
//   JPEG: the output pixels, plus the whole image's DCT coefficients
//         (128 bytes a block) when the file has several scans (progressive);
//   PNG:  the rows as they inflate (filter bytes, every interlace pass,
//         16-bit samples as 16-bit);
//   GIF:  the logical screen (3 bytes a pixel) and the frame's pixels;
//   WebP: the output pixels, plus libwebp's 4-byte ARGB image when lossless.
absl::Status CheckDecodedBytes(absl::string_view what, int64_t bytes,
                               const ImageDecodeLimits& limits);

}  // namespace clearmatch

#endif  // CLEARMATCH_DECODERS_DECODE_LIMITS_H_
