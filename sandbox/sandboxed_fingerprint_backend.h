// SandboxedFingerprintBackend: the daemon's FingerprintBackend. Each
// request goes to a sandboxed clearmatch-decoder process of a DecoderPool
// with a CPU budget (sandbox.image_cpu_ms or video_cpu_ms by the media's
// sniffed format) that the decoder enforces with RLIMIT_CPU; the daemon
// waits at most until the client's deadline or the budget plus a slack,
// polling `cancelled` every 50 ms, and kills the decoder past either.
//
//   SandboxedFingerprintBackend::Options options;
//   options.pool.process.path = "/usr/lib/clearmatch/clearmatch-decoder";
//   CM_ASSIGN_OR_RETURN(auto backend,
//                       SandboxedFingerprintBackend::Create(options));
//   absl::StatusOr<MediaFingerprint> fp = backend->Fingerprint(request);
//
// Errors besides the fingerprinter's (see DecoderProcess::Outcome): a
// decoder that crashed or broke its sandbox: INTERNAL naming the signal;
// over its CPU, time or memory budget: RESOURCE_EXHAUSTED naming it (media
// over a limit); the deadline: DEADLINE_EXCEEDED; cancelled: CANCELLED; no
// decoder (shutting down, cannot start one): UNAVAILABLE. Every abnormal
// end costs only that request: the process is replaced.
//
// Thread-safe.
#ifndef CLEARMATCH_SANDBOX_SANDBOXED_FINGERPRINT_BACKEND_H_
#define CLEARMATCH_SANDBOX_SANDBOXED_FINGERPRINT_BACKEND_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fingerprint/fingerprint_backend.h"
#include "sandbox/decoder_pool.h"

namespace clearmatch::sandbox {

class SandboxedFingerprintBackend final : public FingerprintBackend {
 public:
  struct Options {
    DecoderPool::Options pool;
    // CPU budgets per decode (rounded up to whole seconds in the decoder).
    absl::Duration image_cpu = absl::Milliseconds(5000);
    absl::Duration video_cpu = absl::Milliseconds(30000);
  };

  // Starts the pool (its errors: the decoder binary cannot run, or cannot
  // enter its sandbox).
  static absl::StatusOr<std::unique_ptr<SandboxedFingerprintBackend>> Create(
      const Options& options);

  absl::StatusOr<MediaFingerprint> Fingerprint(const Request& request) override;

  // Kills the decodes in flight (they answer UNAVAILABLE) and refuses new
  // ones. Does not wait.
  void Shutdown() { pool_->Shutdown(); }

  const DecoderPool& pool() const { return *pool_; }

 private:
  SandboxedFingerprintBackend(const Options& options,
                              std::unique_ptr<DecoderPool> pool)
      : options_(options), pool_(std::move(pool)) {}

  const Options options_;
  const std::unique_ptr<DecoderPool> pool_;
};

// The decoder binary next to this executable (/proc/self/exe's folder),
// else in the build tree's layout (bin/../sandbox/, or ../sandbox/ from a
// daemon/ or tests/ folder). "" when none exists.
std::string DefaultDecoderPath(absl::string_view name = "clearmatch-decoder");

}  // namespace clearmatch::sandbox

#endif  // CLEARMATCH_SANDBOX_SANDBOXED_FINGERPRINT_BACKEND_H_
