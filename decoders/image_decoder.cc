// Still-image decoding with OpenCV, bounded by ImageDecodeLimits (see
// image_decoder.h for the order of checks and the pixel normalisation).
#include "decoders/image_decoder.h"

#include <algorithm>
#include <climits>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/call_once.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "decoders/gif_decoder.h"
#include "decoders/image_extent.h"
#include "decoders/media_sniffer.h"

namespace clearmatch {
namespace {

// MediaFormatName as the absl::string_view that absl::StrCat takes (Debian's
// Abseil does not alias it to std::string_view).
absl::string_view FormatName(MediaFormat format) {
  const std::string_view name = MediaFormatName(format);
  return absl::string_view(name.data(), name.size());
}

// OpenCV's parallel loops are process-wide; turning them off keeps each
// decode on its caller's thread (the daemon parallelises across requests).
void DisableOpenCvThreadsOnce() {
  static absl::once_flag once;
  absl::call_once(once, [] { cv::setNumThreads(0); });
}

absl::Status CheckDimensions(absl::string_view what, int64_t width,
                             int64_t height, const ImageDecodeLimits& limits) {
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

// IMREAD flags for JPEG: colour, EXIF orientation ignored, and the largest
// DCT scale-down 1/s (s in 8, 4, 2) keeping ceil(max(w, h) / s) >= min_side.
int JpegReadFlags(const ImageHeaderInfo& header, int min_decoded_side) {
  const int64_t longer = std::max(header.width, header.height);
  int reduced = cv::IMREAD_COLOR;
  if (min_decoded_side > 0) {
    for (auto [scale, flag] : {std::pair{8, cv::IMREAD_REDUCED_COLOR_8},
                               std::pair{4, cv::IMREAD_REDUCED_COLOR_4},
                               std::pair{2, cv::IMREAD_REDUCED_COLOR_2}}) {
      if ((longer + scale - 1) / scale >= min_decoded_side) {
        reduced = flag;
        break;
      }
    }
  }
  return reduced | cv::IMREAD_IGNORE_ORIENTATION;
}

// 8-bit, 1 or 3 channels, from whatever IMREAD_UNCHANGED produced.
absl::StatusOr<cv::Mat> Normalise(cv::Mat mat, MediaFormat format) {
  if (mat.depth() == CV_16U) {
    cv::Mat narrowed;
    mat.convertTo(narrowed, CV_8U, 1.0 / 257.0);  // rounds to nearest
    mat = std::move(narrowed);
  } else if (mat.depth() != CV_8U) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported ", FormatName(format),
                     " sample depth (OpenCV depth ", mat.depth(), ")"));
  }
  cv::Mat converted;
  switch (mat.channels()) {
    case 1:
    case 3:
      return mat;
    case 2:  // grey + alpha: keep the grey
      cv::extractChannel(mat, converted, 0);
      return converted;
    case 4:  // BGRA: drop alpha, no compositing
      cv::cvtColor(mat, converted, cv::COLOR_BGRA2BGR);
      return converted;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unsupported ", FormatName(format), " with ",
                       mat.channels(), " channels"));
  }
}

absl::StatusOr<DecodedImage> DecodeWithOpenCv(absl::Span<const uint8_t> bytes,
                                              MediaFormat format,
                                              const ImageHeaderInfo& header,
                                              const ImageDecodeLimits& limits,
                                              int min_decoded_side) {
  DisableOpenCvThreadsOnce();
  const int flags = format == MediaFormat::kJpeg
                        ? JpegReadFlags(header, min_decoded_side)
                        : cv::IMREAD_UNCHANGED;  // no orientation applied
  cv::Mat pixels;
  try {
    // imdecode reads the caller's bytes in place (no copy, no temp file).
    const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1,
                          const_cast<uint8_t*>(bytes.data()));
    cv::Mat decoded = cv::imdecode(encoded, flags);
    if (decoded.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "could not decode ", FormatName(format), ": truncated or corrupt"));
    }
    CM_ASSIGN_OR_RETURN(pixels, Normalise(std::move(decoded), format));
  } catch (const cv::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("could not decode ", FormatName(format), ": ", e.err));
  }
  CM_RETURN_IF_ERROR(
      CheckDimensions(absl::StrCat("decoded ", FormatName(format)), pixels.cols,
                      pixels.rows, limits));
  PixelView view;
  view.data = pixels.data;
  view.width = pixels.cols;
  view.height = pixels.rows;
  view.stride = pixels.step[0];
  view.format = pixels.channels() == 1 ? PixelFormat::kGrey : PixelFormat::kBgr;
  // The Mat header shares (reference-counts) the pixel buffer: no copy.
  auto owner = std::make_shared<const cv::Mat>(std::move(pixels));
  return DecodedImage(std::move(owner), view, header.width, header.height);
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
  CM_RETURN_IF_ERROR(
      CheckDimensions(FormatName(format), header.width, header.height, limits));
  CM_ASSIGN_OR_RETURN(const size_t image_end,
                      decoders_internal::FindImageEnd(format, bytes));
  CM_RETURN_IF_ERROR(
      decoders_internal::CheckNoEmbeddedVideo(format, bytes, image_end));
  if (format == MediaFormat::kGif) return DecodeGifFirstFrame(bytes, limits);
  return DecodeWithOpenCv(bytes, format, header, limits, min_decoded_side);
}

}  // namespace clearmatch
