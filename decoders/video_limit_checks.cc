// Video limit errors (see video_limit_checks.h).
#include "decoders/video_limit_checks.h"

#include "absl/strings/str_cat.h"

namespace clearmatch::decoders_internal {

absl::Status CheckDuration(double seconds, const char* what,
                           const VideoDecodeLimits& limits) {
  if (seconds > limits.max_duration_seconds) {
    return absl::ResourceExhaustedError(absl::StrCat(
        what, " is ", seconds,
        " s, over max_duration_seconds=", limits.max_duration_seconds));
  }
  return absl::OkStatus();
}

absl::Status TooManyFrames(int64_t frames, const VideoDecodeLimits& limits) {
  return absl::ResourceExhaustedError(absl::StrCat(
      "video has more than max_decoded_frames=", limits.max_decoded_frames,
      " frames (", frames, " reached)"));
}

}  // namespace clearmatch::decoders_internal
