#include "decoders/gif_decoder.h"

#include "absl/status/status.h"

namespace clearmatch {

// Placeholder until the FFmpeg-based implementation lands.
absl::StatusOr<DecodedImage> DecodeGifFirstFrame(absl::Span<const uint8_t>,
                                                 const ImageDecodeLimits&) {
  return absl::UnimplementedError("GIF decoding is not available yet");
}

}  // namespace clearmatch
