// WarmupMedia: one tiny file of each format the decoder serves most (PNG,
// JPEG, GIF, WebP, H.264 in MP4, VP9 in WebM), fingerprinted once before
// the decoder enters its sandbox (decoder_main_loop.cc).
#ifndef CLEARMATCH_SANDBOX_WARMUP_MEDIA_H_
#define CLEARMATCH_SANDBOX_WARMUP_MEDIA_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace clearmatch::sandbox {

std::vector<absl::Span<const uint8_t>> WarmupMedia();

}  // namespace clearmatch::sandbox

#endif  // CLEARMATCH_SANDBOX_WARMUP_MEDIA_H_
