// The steps every Matcher call shares.
#include "daemon/matcher_call_context.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "daemon/grpc_status_util.h"

namespace clearmatch {

absl::Status MatcherCallContext::Authorize(
    const grpc::CallbackServerContext& context) const {
  return authorizer_.Authorize(context, "checker");
}

absl::Time MatcherCallContext::ClientDeadline(
    const grpc::CallbackServerContext& context) const {
  const auto deadline = context.deadline();
  if (deadline >= std::chrono::system_clock::time_point::max() -
                      std::chrono::hours(24 * 365)) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

absl::Time MatcherCallContext::Deadline(
    const grpc::CallbackServerContext& context) const {
  const absl::Time deadline = ClientDeadline(context);
  if (deadline == absl::InfiniteFuture()) {
    return absl::Now() + options_.default_deadline;
  }
  return deadline;
}

void MatcherCallContext::Record(absl::string_view rpc,
                                const absl::Status& status,
                                absl::Time start) const {
  metrics_.CountRequest(rpc, status.code());
  metrics_.ObserveRpcSeconds(rpc, absl::ToDoubleSeconds(absl::Now() - start));
  const absl::string_view reason = RejectionReason(status.code());
  if (!reason.empty()) metrics_.CountRejected(reason);
}

absl::Status MatcherCallContext::Overloaded() const {
  return absl::ResourceExhaustedError(absl::StrCat(
      "all ", pool_.workers(),
      " decode workers are busy and the queue is full; retry later"));
}

absl::Status MatcherCallContext::AcquireUploadSlot() {
  if (uploads_in_progress_.fetch_add(1) >= options_.max_concurrent_uploads) {
    uploads_in_progress_.fetch_sub(1);
    return absl::ResourceExhaustedError(
        absl::StrCat(options_.max_concurrent_uploads,
                     " uploads are already in progress; retry later"));
  }
  return absl::OkStatus();
}

void MatcherCallContext::ReleaseUploadSlot() {
  uploads_in_progress_.fetch_sub(1);
}

}  // namespace clearmatch
