// Still-image decoding, bounded by ImageDecodeLimits (see image_decoder.h for
// the order of checks and the pixel normalisation).
#include "decoders/image_decoder.h"

#include <algorithm>
#include <climits>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "decoders/gif_decoder.h"
#include "decoders/image_extent.h"
#include "decoders/jpeg_decoder.h"
#include "decoders/media_sniffer.h"
#include "decoders/png_decoder.h"
#include "decoders/webp_decoder.h"

namespace clearmatch {
namespace {

// MediaFormatName as the absl::string_view that absl::StrCat takes (Debian's
// Abseil does not alias it to std::string_view).
absl::string_view FormatName(MediaFormat format) {
  const std::string_view name = MediaFormatName(format);
  return absl::string_view(name.data(), name.size());
}

// The largest DCT scale-down 1/s (s in 8, 4, 2) keeping ceil(max(w, h) / s)
// >= min_side; 1 when min_side is 0 or no scale-down keeps it.
int JpegScaleDenominator(const ImageHeaderInfo& header, int min_decoded_side) {
  if (min_decoded_side <= 0) return 1;
  const int64_t longer = std::max(header.width, header.height);
  for (const int scale : {8, 4, 2}) {
    if ((longer + scale - 1) / scale >= min_decoded_side) return scale;
  }
  return 1;
}

// What the structure walk counted, against the limits: a decoder loops over
// every JPEG scan (progressive scan bombs); GIF frames are walked over.
absl::Status CheckStructureCounts(const decoders_internal::ImageExtent& extent,
                                  const ImageDecodeLimits& limits) {
  if (extent.scans > limits.max_jpeg_scans) {
    return absl::ResourceExhaustedError(
        absl::StrCat("jpeg has ", extent.scans, " scans, over the limit of ",
                     limits.max_jpeg_scans, " (max_jpeg_scans)"));
  }
  if (extent.frames > limits.max_gif_frames) {
    return absl::ResourceExhaustedError(
        absl::StrCat("gif has ", extent.frames, " frames, over the limit of ",
                     limits.max_gif_frames, " (max_gif_frames)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DecodedImage> DecodePixels(absl::Span<const uint8_t> bytes,
                                          MediaFormat format,
                                          const ImageHeaderInfo& header,
                                          const ImageDecodeLimits& limits,
                                          int min_decoded_side) {
  switch (format) {
    case MediaFormat::kJpeg:
      return decoders_internal::DecodeJpeg(
          bytes, header, limits,
          JpegScaleDenominator(header, min_decoded_side));
    case MediaFormat::kPng:
      return decoders_internal::DecodePng(bytes, limits);
    case MediaFormat::kWebp:
      return decoders_internal::DecodeWebp(bytes, limits);
    case MediaFormat::kGif:
      return DecodeGifFirstFrame(bytes, limits);
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(FormatName(format), " is not a still image"));
  }
}

}  // namespace

absl::StatusOr<DecodedImage> DecodeImage(absl::Span<const uint8_t> bytes,
                                         const ImageDecodeLimits& limits,
                                         int min_decoded_side) {
  const int64_t size = static_cast<int64_t>(bytes.size());
  if (size > limits.max_bytes || size > INT_MAX) {
    return absl::ResourceExhaustedError(
        absl::StrCat("image of ", size, " bytes exceeds the limit of ",
                     std::min<int64_t>(limits.max_bytes, INT_MAX), " bytes"));
  }
  if (bytes.empty()) return absl::InvalidArgumentError("empty image");
  const MediaFormat format = SniffMediaFormat(bytes);
  if (!IsAllowedImage(format)) {
    return absl::InvalidArgumentError(
        absl::StrCat(FormatName(format),
                     " is not an allowed image format (allowed: jpeg, png, "
                     "webp, gif)"));
  }
  CM_ASSIGN_OR_RETURN(const ImageHeaderInfo header, ReadImageHeader(bytes));
  CM_RETURN_IF_ERROR(CheckImageDimensions(FormatName(format), header.width,
                                          header.height, limits));
  CM_ASSIGN_OR_RETURN(const decoders_internal::ImageExtent extent,
                      decoders_internal::FindImageExtent(format, bytes));
  CM_RETURN_IF_ERROR(
      decoders_internal::CheckNoEmbeddedVideo(format, bytes, extent.end));
  CM_RETURN_IF_ERROR(CheckStructureCounts(extent, limits));
  return DecodePixels(bytes, format, header, limits, min_decoded_side);
}

}  // namespace clearmatch
