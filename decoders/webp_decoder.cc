// WebP decoding with libwebp (see webp_decoder.h).
#include "decoders/webp_decoder.h"

#include <webp/decode.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "decoders/pixel_buffer.h"

namespace clearmatch::decoders_internal {
namespace {

const char* StatusName(VP8StatusCode code) {
  switch (code) {
    case VP8_STATUS_OK:
      return "ok";
    case VP8_STATUS_OUT_OF_MEMORY:
      return "out of memory";
    case VP8_STATUS_INVALID_PARAM:
      return "invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR:
      return "bitstream error";
    case VP8_STATUS_UNSUPPORTED_FEATURE:
      return "unsupported feature";
    case VP8_STATUS_SUSPENDED:
      return "suspended";
    case VP8_STATUS_USER_ABORT:
      return "aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA:
      return "not enough data";
  }
  return "unknown error";
}

absl::Status WebpError(VP8StatusCode code) {
  return absl::InvalidArgumentError(
      absl::StrCat("could not decode webp: ", StatusName(code)));
}

}  // namespace

absl::StatusOr<DecodedImage> DecodeWebp(absl::Span<const uint8_t> bytes,
                                        const ImageDecodeLimits& limits) {
  WebPBitstreamFeatures features;
  const VP8StatusCode code =
      WebPGetFeatures(bytes.data(), bytes.size(), &features);
  if (code != VP8_STATUS_OK) return WebpError(code);
  if (features.has_animation) {
    return absl::InvalidArgumentError("animated webp is not supported");
  }
  if (absl::Status size =
          CheckImageDimensions("webp", features.width, features.height, limits);
      !size.ok()) {
    return size;
  }
  // The BGR output; lossless images are decoded into a 4-byte ARGB image
  // first (libwebp's VP8L decoder), alpha into a plane of its own.
  const int64_t pixel_count = int64_t{features.width} * features.height;
  const int64_t decoded = pixel_count * (3 + (features.format == 2 ? 4 : 0) +
                                         (features.has_alpha ? 1 : 0));
  if (absl::Status budget = CheckDecodedBytes(
          absl::StrCat("webp ", features.width, "x", features.height,
                       features.format == 2 ? ", lossless" : ""),
          decoded, limits);
      !budget.ok()) {
    return budget;
  }
  PixelBuffer pixels(features.width, features.height, PixelFormat::kBgr);
  if (WebPDecodeBGRInto(bytes.data(), bytes.size(), pixels.data(),
                        pixels.size(),
                        static_cast<int>(pixels.stride())) == nullptr) {
    return WebpError(VP8_STATUS_BITSTREAM_ERROR);
  }
  return std::move(pixels).Finish(features.width, features.height);
}

}  // namespace clearmatch::decoders_internal
