// The syntax checks of a CheckRequest, before any work is queued: the
// daemon's Matcher service runs them on every Check, CheckStream item and
// CheckUpload, and the check_request fuzz target (fuzz/) on its input.
//
//   CM_RETURN_IF_ERROR(ValidateCheckRequest(request, max_request_bytes));
//
// Pure functions; thread-safe.
#ifndef CLEARMATCH_MATCHING_CHECK_REQUEST_CHECKS_H_
#define CLEARMATCH_MATCHING_CHECK_REQUEST_CHECKS_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "clearmatch/v1/matcher.pb.h"

namespace clearmatch {

// Longest content_id accepted (bytes).
inline constexpr size_t kMaxCheckContentIdBytes = 256;

// INVALID_ARGUMENT naming the field: unknown context, no payload or both,
// content_id too long, request over `max_request_bytes`, malformed
// precomputed hashes (Query::FromHashes).
absl::Status ValidateCheckRequest(const v1::CheckRequest& request,
                                  uint64_t max_request_bytes);

}  // namespace clearmatch

#endif  // CLEARMATCH_MATCHING_CHECK_REQUEST_CHECKS_H_
