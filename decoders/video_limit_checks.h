// The video limit errors shared by the steps of FfmpegVideoFrameSampler:
// one message for a span over max_duration_seconds and one for more frames
// than max_decoded_frames, wherever the limit is hit (container header,
// pre-scan or decoding).
#ifndef CLEARMATCH_DECODERS_VIDEO_LIMIT_CHECKS_H_
#define CLEARMATCH_DECODERS_VIDEO_LIMIT_CHECKS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "decoders/video_frame_sampler.h"

namespace clearmatch::decoders_internal {

// RESOURCE_EXHAUSTED naming `what` ("stream duration", "timestamp span"...)
// when `seconds` is over limits.max_duration_seconds.
absl::Status CheckDuration(double seconds, const char* what,
                           const VideoDecodeLimits& limits);

// RESOURCE_EXHAUSTED: `frames` reached, over limits.max_decoded_frames.
absl::Status TooManyFrames(int64_t frames, const VideoDecodeLimits& limits);

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_VIDEO_LIMIT_CHECKS_H_
