// VideoFrameSampler's FFmpeg-free part: option checks and the module that
// holds the implementation (see video_frame_sampler.h).
#include "decoders/video_frame_sampler.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "decoders/video_module.h"

namespace clearmatch {

const std::vector<VpdqFeature>* VpdqVideoHash::TrimmedFeatures() const {
  if (trimmed_frames == 0) return nullptr;
  for (const VpdqFrameVariant& v : variants) {
    if (v.trimmed && v.transform == DihedralTransform::kOriginal) {
      return &v.features;
    }
  }
  return nullptr;
}

absl::Status VideoFrameSampler::ValidateOptions(const Options& options) {
  const VideoDecodeLimits& limits = options.limits;
  if (!std::isfinite(options.seconds_per_hash) ||
      options.seconds_per_hash < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("seconds_per_hash must be finite and >= 0, got ",
                     options.seconds_per_hash));
  }
  if (options.decoder_threads < 1 || options.decoder_threads > 64) {
    return absl::InvalidArgumentError(absl::StrCat(
        "decoder_threads must be in 1..64, got ", options.decoder_threads));
  }
  if (limits.max_bytes <= 0 || limits.max_width <= 0 ||
      limits.max_height <= 0 || limits.max_pixels <= 0 ||
      !(limits.max_duration_seconds > 0) || limits.max_decoded_frames <= 0 ||
      limits.max_streams <= 0 || limits.max_wall_time <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "every VideoDecodeLimits field must be positive");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<VideoFrameSampler>> VideoFrameSampler::Create(
    const Options& options) {
  CM_RETURN_IF_ERROR(ValidateOptions(options));
  CM_ASSIGN_OR_RETURN(const VideoModule* module, VideoModule::Get());
  return module->NewSampler(options);
}

}  // namespace clearmatch
