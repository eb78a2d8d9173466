// FfmpegFrameHasher: the frame-hashing step of FfmpegVideoFrameSampler. It
// turns a decoded AVFrame into a PDQ result as the reference does (RGB24 by
// swscale with SWS_AREA), or, with FrameConversion::kLumaPlane and an 8-bit
// YUV frame, straight from the luma plane (the same luminance, no RGB
// round trip). Reuses its buffers and swscale context across frames.
//
//   FfmpegFrameHasher hasher(options.conversion);
//   CM_ASSIGN_OR_RETURN(PdqResult pdq, hasher.Hash(*frame));
//
// Thread-compatible: one per decoding pass.
#ifndef CLEARMATCH_DECODERS_FFMPEG_FRAME_HASHER_H_
#define CLEARMATCH_DECODERS_FFMPEG_FRAME_HASHER_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "decoders/ffmpeg_handles.h"
#include "decoders/video_frame_sampler.h"
#include "hashing/pdq_hasher.h"

namespace clearmatch::decoders_internal {

class FfmpegFrameHasher {
 public:
  explicit FfmpegFrameHasher(VideoFrameSampler::FrameConversion conversion);

  // INVALID_ARGUMENT when swscale cannot convert the frame's pixel format.
  absl::StatusOr<PdqResult> Hash(const AVFrame& frame);

 private:
  // 0.299 R + 0.587 G + 0.114 B of swscale's BT.601 YUV->RGB equals
  // 255/219 (Y - 16) for limited range (the chroma terms cancel), clipped.
  PdqResult HashLumaPlane(const AVFrame& frame, bool full_range);
  absl::StatusOr<PdqResult> HashRgb(const AVFrame& frame);

  const VideoFrameSampler::FrameConversion conversion_;
  PdqHasher hasher_;
  std::vector<float> luma_;
  std::array<float, 256> lut_{};
  bool lut_ready_ = false;
  bool lut_full_range_ = false;
  SwsContextPtr sws_;
  std::vector<uint8_t> rgb_;
};

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_FFMPEG_FRAME_HASHER_H_
