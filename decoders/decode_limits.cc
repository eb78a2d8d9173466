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

}  // namespace clearmatch
