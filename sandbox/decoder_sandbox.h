// What a clearmatch-decoder process gives up before it reads any media:
// every file descriptor but its socket and stderr, network/mount/IPC
// namespaces where the kernel lets it (best effort), its resource limits
// (RLIMIT_AS, RLIMIT_NOFILE, RLIMIT_FSIZE 0, RLIMIT_CORE 0), privileges
// (PR_SET_NO_NEW_PRIVS, not dumpable) and finally every system call outside
// an allow-list (seccomp-bpf through libseccomp; anything else kills the
// process with SIGSYS).
//
//   CM_RETURN_IF_ERROR(EnterDecoderSandbox({.socket_fd = 3,
//                                           .memory_bytes = 2 << 30}));
//
// The allow-list (decoder_sandbox.cc) is what decoding, hashing and the
// socket need once the video module and the codecs are loaded: no open,
// no socket, no exec, no fork or clone (the decoders run single-threaded).
#ifndef CLEARMATCH_SANDBOX_DECODER_SANDBOX_H_
#define CLEARMATCH_SANDBOX_DECODER_SANDBOX_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace clearmatch::sandbox {

struct DecoderSandboxOptions {
  // The socket to the daemon, kept open (with stderr).
  int socket_fd = 3;
  // RLIMIT_AS (bytes); 0 leaves it. Skipped in sanitizer builds, whose
  // shadow memory reserves terabytes of address space.
  uint64_t memory_bytes = 0;
  // Where best-effort steps report what they could not do.
  std::function<void(absl::string_view)> log_warning;
};

// Irreversible. INTERNAL naming the step that failed (the caller must then
// exit: a decoder without its sandbox must not decode).
absl::Status EnterDecoderSandbox(const DecoderSandboxOptions& options);

// Sets this process's soft RLIMIT_CPU to the CPU it used so far (rounded
// up to seconds) plus `budget_seconds`: past it the kernel sends SIGXCPU,
// which ends the process. Allowed by the filter (own process only).
absl::Status LimitCpuFromNow(uint32_t budget_seconds);

}  // namespace clearmatch::sandbox

#endif  // CLEARMATCH_SANDBOX_DECODER_SANDBOX_H_
