// DecoderFailure: how a decoder process ended abnormally, as the restart
// metric's cause label (clearmatch_decoder_restarts_total{cause=...}).
#ifndef CLEARMATCH_SANDBOX_DECODER_FAILURE_H_
#define CLEARMATCH_SANDBOX_DECODER_FAILURE_H_

#include "absl/strings/string_view.h"

namespace clearmatch::sandbox {

enum class DecoderFailure {
  kNone,              // answered; the process goes on serving
  kCrash,             // died of a signal (SIGSEGV, SIGABRT...) or exited
  kSandboxViolation,  // SIGSYS: a system call outside the seccomp allow-list
  kCpu,               // SIGXCPU: over its CPU budget
  kMemory,            // out of its address-space limit
  kTimeout,           // killed by the daemon: no answer in its time budget
  kDeadline,          // killed by the daemon: the client's deadline passed
  kCancelled,         // killed by the daemon: the client cancelled
  kProtocol,          // a malformed or oversized answer; killed
  kShutdown,          // killed because the daemon is stopping
};
inline constexpr int kDecoderFailureCount = 10;

// "crash", "sandbox_violation", "cpu", "memory", "timeout", "deadline",
// "cancelled", "protocol", "shutdown" ("none" for kNone).
absl::string_view DecoderFailureName(DecoderFailure failure);

}  // namespace clearmatch::sandbox

#endif  // CLEARMATCH_SANDBOX_DECODER_FAILURE_H_
