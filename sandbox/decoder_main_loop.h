// The body of a clearmatch-decoder process (sandbox/decoder_main.cc; the
// test-only clearmatch-decoder-faults shares it). Started by the daemon
// (DecoderProcess) with its socket on fd 3 and
//   clearmatch-decoder --memory-bytes=N
// it loads what decoding needs (the video module, the codecs, OpenSSL's
// digests: every lazy open done while opening is still allowed), enters
// the sandbox (decoder_sandbox.h), says "ready" and then answers requests
// one at a time (decoder_wire_codec.h) until the socket closes. Per
// request its CPU is limited to the request's budget (LimitCpuFromNow).
// An allocation failure (std::bad_alloc) is answered RESOURCE_EXHAUSTED
// and the process exits (the daemon replaces it).
#ifndef CLEARMATCH_SANDBOX_DECODER_MAIN_LOOP_H_
#define CLEARMATCH_SANDBOX_DECODER_MAIN_LOOP_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/types/span.h"

namespace clearmatch::sandbox {

// The fd the daemon hands the socket on.
inline constexpr int kDecoderSocketFd = 3;
// The first frame of a decoder: kReadyFrame, or kErrorFramePrefix and why
// it cannot serve (then it exits with status 1).
inline constexpr char kReadyFrame[] = "ready";
inline constexpr char kErrorFramePrefix[] = "error: ";

struct DecoderHooks {
  // Test-only (clearmatch-decoder-faults): called with each request's media
  // before it is decoded, inside the sandbox. Empty in production.
  std::function<void(absl::Span<const uint8_t> media)> before_decode;
};

// Returns the process's exit status.
int RunDecoderMain(int argc, char** argv, const DecoderHooks& hooks);

}  // namespace clearmatch::sandbox

#endif  // CLEARMATCH_SANDBOX_DECODER_MAIN_LOOP_H_
