#include "sandbox/decoder_failure.h"

namespace clearmatch::sandbox {

absl::string_view DecoderFailureName(DecoderFailure failure) {
  switch (failure) {
    case DecoderFailure::kNone:
      return "none";
    case DecoderFailure::kCrash:
      return "crash";
    case DecoderFailure::kSandboxViolation:
      return "sandbox_violation";
    case DecoderFailure::kCpu:
      return "cpu";
    case DecoderFailure::kMemory:
      return "memory";
    case DecoderFailure::kTimeout:
      return "timeout";
    case DecoderFailure::kDeadline:
      return "deadline";
    case DecoderFailure::kCancelled:
      return "cancelled";
    case DecoderFailure::kProtocol:
      return "protocol";
    case DecoderFailure::kShutdown:
      return "shutdown";
  }
  return "unknown";
}

}  // namespace clearmatch::sandbox
