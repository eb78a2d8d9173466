// The entry point of libclearmatch_video.so (see video_module.h).
#include "decoders/ffmpeg_video_frame_sampler.h"
#include "decoders/video_module.h"

extern "C" __attribute__((visibility("default"))) clearmatch::VideoFrameSampler*
clearmatch_video_new_sampler_v1(
    const clearmatch::VideoFrameSampler::Options* options) {
  return new clearmatch::FfmpegVideoFrameSampler(*options);
}

// The entry point has the type the loader casts it to.
static_assert(std::is_same_v<decltype(&clearmatch_video_new_sampler_v1),
                             clearmatch::NewVideoSamplerFn>);
