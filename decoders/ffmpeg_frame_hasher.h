// FfmpegFrameHasher: the frame-hashing step of FfmpegVideoFrameSampler. It
// turns a decoded AVFrame into a PDQ result as the reference does (RGB24 by
// swscale with SWS_AREA), or, with FrameConversion::kLumaPlane and an 8-bit
// YUV frame, straight from the luma plane (the same luminance, no RGB
// round trip). With `dihedral`, the 7 rotations and mirrors come from the
// same DCT; with `trim`, a frame with letterbox or pillarbox bars
// (hashing/border_detector.h) is hashed again without them, once per
// reading of where they end. Reuses
// its buffers and swscale context across frames.
//
//   FfmpegFrameHasher hasher(options.conversion, options.dihedral,
//                            options.trim);
//   CM_ASSIGN_OR_RETURN(FrameHashes hashes, hasher.Hash(*frame));
//   hashes.frame.hashes[0] ... the frame's PDQ hash
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
#include "hashing/border_detector.h"
#include "hashing/pdq_hasher.h"
#include "hashing/pixel_view.h"

namespace clearmatch::decoders_internal {

// What one sampled frame hashes to.
struct FrameHashes {
  // hashes[0] is the frame's hash; the other 7 only with `dihedral`.
  PdqDihedralResult frame;
  // The frame without its bars, when `trim` found some: one per reading of
  // where they end (FindContentReadings, the content rectangle first), each
  // hashes[0] and the other 7 with `dihedral`.
  std::vector<PdqDihedralResult> trimmed;
};

class FfmpegFrameHasher {
 public:
  FfmpegFrameHasher(VideoFrameSampler::FrameConversion conversion,
                    bool dihedral, bool trim);

  // INVALID_ARGUMENT when swscale cannot convert the frame's pixel format.
  absl::StatusOr<FrameHashes> Hash(const AVFrame& frame);

 private:
  // 0.299 R + 0.587 G + 0.114 B of swscale's BT.601 YUV->RGB equals
  // 255/219 (Y - 16) for limited range (the chroma terms cancel), clipped.
  FrameHashes HashLumaPlane(const AVFrame& frame, bool full_range);
  absl::StatusOr<FrameHashes> HashRgb(const AVFrame& frame);
  // The hash (and variants) of `luma`, width x height floats.
  PdqDihedralResult HashLuma(const float* luma, int width, int height);
  PdqDihedralResult HashPixels(const PixelView& view);

  const VideoFrameSampler::FrameConversion conversion_;
  const bool dihedral_;
  const bool trim_;
  const BorderTrimOptions trim_options_{};
  PdqHasher hasher_;
  std::vector<float> luma_;
  std::vector<float> trimmed_luma_;
  std::array<float, 256> lut_{};
  bool lut_ready_ = false;
  bool lut_full_range_ = false;
  SwsContextPtr sws_;
  std::vector<uint8_t> rgb_;
};

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_FFMPEG_FRAME_HASHER_H_
