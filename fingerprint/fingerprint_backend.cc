#include "fingerprint/fingerprint_backend.h"

#include <algorithm>
#include <memory>

#include "absl/status/status.h"
#include "common/status_macros.h"

namespace clearmatch {

absl::Status FingerprintBackend::CheckAlive(const Request& request,
                                            absl::Time now) {
  if (request.cancelled && request.cancelled()) {
    return absl::CancelledError("the client cancelled");
  }
  if (now >= request.deadline) {
    return absl::DeadlineExceededError("the request deadline passed");
  }
  return absl::OkStatus();
}

absl::StatusOr<MediaFingerprint> InProcessFingerprintBackend::Fingerprint(
    const Request& request) {
  const absl::Time now = absl::Now();
  CM_RETURN_IF_ERROR(CheckAlive(request, now));
  MediaFingerprinter::Options options = request.options;
  // Video decoding stops at the request's deadline.
  options.video.limits.max_wall_time =
      std::min(options.video.limits.max_wall_time, request.deadline - now);
  CM_ASSIGN_OR_RETURN(std::unique_ptr<MediaFingerprinter> fingerprinter,
                      MediaFingerprinter::Create(options));
  return fingerprinter->Fingerprint(request.media);
}

}  // namespace clearmatch
