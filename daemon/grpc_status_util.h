// The one place an absl::Status becomes a grpc::Status (same code, same
// message), and the metric label of a refused request.
#ifndef CLEARMATCH_DAEMON_GRPC_STATUS_UTIL_H_
#define CLEARMATCH_DAEMON_GRPC_STATUS_UTIL_H_

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace clearmatch {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

// "overloaded", "invalid_argument", ... for clearmatch_rejected_requests_total;
// empty for codes that are not a refusal.
inline absl::string_view RejectionReason(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return "invalid_argument";
    case absl::StatusCode::kResourceExhausted:
      return "overloaded";
    case absl::StatusCode::kUnavailable:
      return "not_serving";
    case absl::StatusCode::kDeadlineExceeded:
      return "deadline";
    case absl::StatusCode::kCancelled:
      return "cancelled";
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return "permission";
    default:
      return "";
  }
}

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_GRPC_STATUS_UTIL_H_
