// ImageExtent: where an image's own data ends inside an upload, found by
// walking its structure (JPEG segments and entropy-coded data up to EOI, PNG
// chunks up to IEND, the RIFF size of a WebP, GIF blocks up to the trailer).
// Used to refuse truncated files that decoders would silently pad, to
// inspect what follows the image (polyglots), and to count what a decoder
// would loop over (JPEG scans, GIF frames) before it starts.
#ifndef CLEARMATCH_DECODERS_IMAGE_EXTENT_H_
#define CLEARMATCH_DECODERS_IMAGE_EXTENT_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "decoders/media_sniffer.h"

namespace clearmatch::decoders_internal {

struct ImageExtent {
  size_t end = 0;      // offset one past the last byte of the image
  int64_t scans = 0;   // JPEG: start-of-scan markers before EOI
  int64_t frames = 0;  // GIF: image descriptors before the trailer
};

// The extent of the image (`format` must be an allowed image format, already
// sniffed from `bytes`). INVALID_ARGUMENT when the structure is truncated or
// malformed, and for animated WebP (not supported). Linear time, no
// allocation. Thread-safe.
absl::StatusOr<ImageExtent> FindImageExtent(MediaFormat format,
                                            absl::Span<const uint8_t> bytes);

// FindImageExtent(format, bytes)->end.
absl::StatusOr<size_t> FindImageEnd(MediaFormat format,
                                    absl::Span<const uint8_t> bytes);

// INVALID_ARGUMENT "polyglot: <format> followed by an embedded <video> at
// offset N" when the bytes from `image_end` on contain a video container
// signature (an ISO BMFF 'ftyp' box or an EBML header, or start with a
// QuickTime box). Other trailing bytes are accepted.
absl::Status CheckNoEmbeddedVideo(MediaFormat format,
                                  absl::Span<const uint8_t> bytes,
                                  size_t image_end);

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_IMAGE_EXTENT_H_
