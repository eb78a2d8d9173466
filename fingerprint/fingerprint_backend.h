// FingerprintBackend: where the daemon turns untrusted media into a
// MediaFingerprint. Two implementations: InProcessFingerprintBackend (below,
// MediaFingerprinter in the calling thread: the CLI's path and the
// benchmark's baseline) and sandbox/SandboxedFingerprintBackend (a pool of
// sandboxed decoder processes: the daemon's default).
//
//   InProcessFingerprintBackend backend;
//   FingerprintBackend::Request request;
//   request.media = bytes;
//   request.options = fingerprinter_options;
//   request.deadline = absl::Now() + absl::Seconds(10);
//   request.cancelled = [&] { return ctx->IsCancelled(); };
//   absl::StatusOr<MediaFingerprint> fp = backend.Fingerprint(request);
//
// Thread-safe: Fingerprint may be called from many threads at once.
#ifndef CLEARMATCH_FINGERPRINT_FINGERPRINT_BACKEND_H_
#define CLEARMATCH_FINGERPRINT_FINGERPRINT_BACKEND_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "fingerprint/media_fingerprinter.h"

namespace clearmatch {

class FingerprintBackend {
 public:
  struct Request {
    // The file's bytes, borrowed for the call.
    absl::Span<const uint8_t> media;
    // Limits, dihedral variants, video sampling.
    MediaFingerprinter::Options options;
    // The client's deadline; cuts the decode short.
    absl::Time deadline = absl::InfiniteFuture();
    // Polled while waiting; empty: never cancelled.
    std::function<bool()> cancelled;
  };

  virtual ~FingerprintBackend() = default;

  // MediaFingerprinter::Fingerprint's errors (RESOURCE_EXHAUSTED for media
  // over a limit; the caller decides how to answer it), plus
  // DEADLINE_EXCEEDED when `deadline` passed and CANCELLED when `cancelled`
  // said so. Implementations add their own (see theirs).
  virtual absl::StatusOr<MediaFingerprint> Fingerprint(
      const Request& request) = 0;

 protected:
  // CANCELLED or DEADLINE_EXCEEDED when `request` is over at `now`: what
  // every implementation checks before it starts.
  static absl::Status CheckAlive(const Request& request, absl::Time now);
};

// Today's path: a MediaFingerprinter per call, in the calling thread. The
// deadline bounds video decoding (max_wall_time); `cancelled` and the
// deadline are checked before decoding only (a decode in progress cannot be
// interrupted: that is what the sandboxed backend is for).
class InProcessFingerprintBackend final : public FingerprintBackend {
 public:
  absl::StatusOr<MediaFingerprint> Fingerprint(const Request& request) override;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_FINGERPRINT_FINGERPRINT_BACKEND_H_
