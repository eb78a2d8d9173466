// FfmpegVideoFrameSampler: the FFmpeg implementation of VideoFrameSampler
// (the plan of Hash() is at the top of the .cc). Built into the shared module
// libclearmatch_video.so with FFmpeg; nothing outside that module includes
// this header except the video tests, which link the implementation
// directly. Thread-safe: Hash() is const and keeps its state per call.
#ifndef CLEARMATCH_DECODERS_FFMPEG_VIDEO_FRAME_SAMPLER_H_
#define CLEARMATCH_DECODERS_FFMPEG_VIDEO_FRAME_SAMPLER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "decoders/video_frame_sampler.h"

namespace clearmatch {

class FfmpegVideoFrameSampler final : public VideoFrameSampler {
 public:
  // `options` must have passed VideoFrameSampler::ValidateOptions.
  explicit FfmpegVideoFrameSampler(const Options& options)
      : VideoFrameSampler(options) {}

  absl::StatusOr<VpdqVideoHash> Hash(
      absl::Span<const uint8_t> bytes) const override;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DECODERS_FFMPEG_VIDEO_FRAME_SAMPLER_H_
