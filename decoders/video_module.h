// VideoModule: the shared module libclearmatch_video.so (FFmpeg and the
// FfmpegVideoFrameSampler), loaded once per process on first use. Its one
// entry point, kVideoModuleEntry, makes a sampler; the module and the
// binaries that load it are built together from the same headers.
#ifndef CLEARMATCH_DECODERS_VIDEO_MODULE_H_
#define CLEARMATCH_DECODERS_VIDEO_MODULE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "decoders/video_frame_sampler.h"

namespace clearmatch {

inline constexpr char kVideoModuleFile[] = "libclearmatch_video.so";
inline constexpr char kVideoModuleEntry[] = "clearmatch_video_new_sampler_v1";

// The entry point's type: a new sampler for validated options, never null.
using NewVideoSamplerFn =
    VideoFrameSampler* (*)(const VideoFrameSampler::Options* options);

class VideoModule {
 public:
  // The module, loaded by the first call; FAILED_PRECONDITION naming the
  // module and the loader's reason when it cannot be loaded (every call then
  // returns the same error). Thread-safe.
  static absl::StatusOr<const VideoModule*> Get();

  // `options` must have passed VideoFrameSampler::ValidateOptions.
  std::unique_ptr<VideoFrameSampler> NewSampler(
      const VideoFrameSampler::Options& options) const {
    return std::unique_ptr<VideoFrameSampler>(new_sampler_(&options));
  }

 private:
  explicit VideoModule(NewVideoSamplerFn new_sampler)
      : new_sampler_(new_sampler) {}

  NewVideoSamplerFn new_sampler_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DECODERS_VIDEO_MODULE_H_
