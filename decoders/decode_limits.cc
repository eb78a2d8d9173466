#include "decoders/decode_limits.h"

#include "absl/strings/str_cat.h"

namespace clearmatch {

absl::Status CheckImageDimensions(absl::string_view what, int64_t width,
                                  int64_t height,
                                  const ImageDecodeLimits& limits) {
  if (width <= 0 || height <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " has no valid size: ", width, "x", height));
  }
  if (width > limits.max_side || height > limits.max_side) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, " ", width, "x", height, " exceeds the limit of ",
                     limits.max_side, " pixels per side"));
  }
  if (width * height > limits.max_pixels) {
    return absl::ResourceExhaustedError(absl::StrCat(
        what, " ", width, "x", height, " = ", width * height,
        " pixels exceeds the limit of ", limits.max_pixels, " pixels"));
  }
  return absl::OkStatus();
}

absl::Status CheckDecodedBytes(absl::string_view what, int64_t bytes,
                               const ImageDecodeLimits& limits) {
  if (bytes <= limits.max_decoded_bytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat(what, " decodes to ", bytes, " bytes, over the limit of ",
                   limits.max_decoded_bytes, " (max_decoded_bytes)"));
}

}  // namespace clearmatch
