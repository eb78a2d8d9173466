#include "decoders/video_module.h"

#include "common/shared_module.h"

namespace clearmatch {

absl::StatusOr<const VideoModule*> VideoModule::Get() {
  // Loaded by the first call; a function's static is initialised once,
  // thread-safely, and every later call returns the same module or error.
  static const absl::StatusOr<VideoModule> module =
      []() -> absl::StatusOr<VideoModule> {
    absl::StatusOr<NewVideoSamplerFn> entry =
        SharedModule::LoadEntry<NewVideoSamplerFn>(kVideoModuleFile,
                                                   kVideoModuleEntry);
    if (!entry.ok()) return entry.status();
    return VideoModule(*entry);
  }();
  if (!module.ok()) return module.status();
  return &*module;
}

}  // namespace clearmatch
