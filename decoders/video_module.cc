#include "decoders/video_module.h"

#include "common/shared_module.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

absl::StatusOr<NewVideoSamplerFn> LoadEntry() {
  CM_ASSIGN_OR_RETURN(const SharedModule module,
                      SharedModule::Open(kVideoModuleFile));
  CM_ASSIGN_OR_RETURN(void* entry, module.Symbol(kVideoModuleEntry));
  return reinterpret_cast<NewVideoSamplerFn>(entry);
}

}  // namespace

absl::StatusOr<const VideoModule*> VideoModule::Get() {
  // Loaded once; a static of a function is initialised thread-safely.
  static const absl::StatusOr<const VideoModule*>* const loaded =
      []() -> absl::StatusOr<const VideoModule*>* {
    absl::StatusOr<NewVideoSamplerFn> entry = LoadEntry();
    if (!entry.ok()) {
      return new absl::StatusOr<const VideoModule*>(entry.status());
    }
    return new absl::StatusOr<const VideoModule*>(new VideoModule(*entry));
  }();
  return *loaded;
}

}  // namespace clearmatch
