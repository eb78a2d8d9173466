// Decoded video frames to PDQ results (see ffmpeg_frame_hasher.h).
#include "decoders/ffmpeg_frame_hasher.h"

#include <algorithm>
#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace clearmatch::decoders_internal {
namespace {

// Pixel formats whose plane 0 is 8-bit Y, one byte per pixel.
bool HasEightBitLuma(AVPixelFormat format) {
  switch (format) {
    case AV_PIX_FMT_YUV420P:
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUV422P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUV444P:
    case AV_PIX_FMT_YUVJ444P:
    case AV_PIX_FMT_YUV440P:
    case AV_PIX_FMT_YUVJ440P:
    case AV_PIX_FMT_NV12:
    case AV_PIX_FMT_NV21:
      return true;
    default:
      return false;
  }
}
// swscale treats only the J formats as full range (the reference does not
// pass the frame's color_range to swscale).
bool IsFullRange(AVPixelFormat format) {
  return format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUVJ422P ||
         format == AV_PIX_FMT_YUVJ444P || format == AV_PIX_FMT_YUVJ440P;
}

}  // namespace

FfmpegFrameHasher::FfmpegFrameHasher(
    VideoFrameSampler::FrameConversion conversion, bool dihedral, bool trim)
    : conversion_(conversion),
      dihedral_(dihedral),
      trim_(trim),
      hasher_(PdqHasher::Options{.sample_large_to_512 = false}) {}

PdqDihedralResult FfmpegFrameHasher::HashLuma(const float* luma, int width,
                                              int height) {
  if (dihedral_) return hasher_.HashLumaDihedral(luma, width, height);
  const PdqResult result = hasher_.HashLuma(luma, width, height);
  PdqDihedralResult out;
  out.hashes[0] = result.hash;
  out.quality = result.quality;
  return out;
}

PdqDihedralResult FfmpegFrameHasher::HashPixels(const PixelView& view) {
  if (dihedral_) return hasher_.HashDihedral(view);
  const PdqResult result = hasher_.Hash(view);
  PdqDihedralResult out;
  out.hashes[0] = result.hash;
  out.quality = result.quality;
  return out;
}

absl::StatusOr<FrameHashes> FfmpegFrameHasher::Hash(const AVFrame& frame) {
  const auto format = static_cast<AVPixelFormat>(frame.format);
  if (conversion_ == VideoFrameSampler::FrameConversion::kLumaPlane &&
      HasEightBitLuma(format)) {
    return HashLumaPlane(frame, IsFullRange(format));
  }
  return HashRgb(frame);
}

FrameHashes FfmpegFrameHasher::HashLumaPlane(const AVFrame& frame,
                                             bool full_range) {
  if (lut_full_range_ != full_range || !lut_ready_) {
    for (int y = 0; y < 256; ++y) {
      lut_[y] = full_range
                    ? static_cast<float>(y)
                    : std::clamp((y - 16) * 255.0f / 219.0f, 0.0f, 255.0f);
    }
    lut_full_range_ = full_range;
    lut_ready_ = true;
  }
  const int width = frame.width, height = frame.height;
  luma_.resize(static_cast<size_t>(width) * height);
  for (int row = 0; row < height; ++row) {
    const uint8_t* in =
        frame.data[0] + static_cast<ptrdiff_t>(row) * frame.linesize[0];
    float* out = luma_.data() + static_cast<size_t>(row) * width;
    for (int col = 0; col < width; ++col) out[col] = lut_[in[col]];
  }
  FrameHashes hashes;
  hashes.frame = HashLuma(luma_.data(), width, height);
  if (!trim_) return hashes;
  // Bars are found on the Y plane itself (uniform there as in RGB).
  const PixelView plane{.data = frame.data[0],
                        .width = width,
                        .height = height,
                        .stride = static_cast<size_t>(frame.linesize[0]),
                        .format = PixelFormat::kGrey};
  for (const ContentRect& rect : FindContentReadings(plane, trim_options_)) {
    trimmed_luma_.resize(static_cast<size_t>(rect.width) * rect.height);
    for (int row = 0; row < rect.height; ++row) {
      std::copy_n(
          luma_.data() + static_cast<size_t>(rect.y + row) * width + rect.x,
          rect.width,
          trimmed_luma_.data() + static_cast<size_t>(row) * rect.width);
    }
    hashes.trimmed.push_back(
        HashLuma(trimmed_luma_.data(), rect.width, rect.height));
  }
  return hashes;
}

absl::StatusOr<FrameHashes> FfmpegFrameHasher::HashRgb(const AVFrame& frame) {
  const int width = frame.width, height = frame.height;
  sws_.reset(sws_getCachedContext(
      sws_.release(), width, height, static_cast<AVPixelFormat>(frame.format),
      width, height, AV_PIX_FMT_RGB24, SWS_AREA, nullptr, nullptr, nullptr));
  if (sws_ == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot convert pixel format '",
        av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame.format)),
        "' to RGB"));
  }
  // swscale's SIMD writers want aligned rows and may write a little past
  // the last row's end.
  const int stride = FFALIGN(width * 3, 64);
  rgb_.resize(static_cast<size_t>(stride) * height + 64);
  uint8_t* planes[4] = {rgb_.data(), nullptr, nullptr, nullptr};
  int strides[4] = {stride, 0, 0, 0};
  sws_scale(sws_.get(), frame.data, frame.linesize, 0, height, planes, strides);
  const PixelView view{.data = rgb_.data(),
                       .width = width,
                       .height = height,
                       .stride = static_cast<size_t>(stride),
                       .format = PixelFormat::kRgb};
  FrameHashes hashes;
  hashes.frame = HashPixels(view);
  if (!trim_) return hashes;
  for (const ContentRect& rect : FindContentReadings(view, trim_options_)) {
    hashes.trimmed.push_back(HashPixels(CropView(view, rect)));
  }
  return hashes;
}

}  // namespace clearmatch::decoders_internal
