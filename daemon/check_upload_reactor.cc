// Matcher.CheckUpload: one reactor per upload.
#include "daemon/check_upload_reactor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daemon/grpc_status_util.h"

namespace clearmatch {

CheckUploadReactor::CheckUploadReactor(MatcherCallContext& matcher,
                                       grpc::CallbackServerContext* context,
                                       v1::CheckResponse* response)
    : matcher_(matcher),
      context_(context),
      response_(response),
      start_(absl::Now()) {
  upload_deadline_ = std::min(start_ + matcher_.options().upload_timeout,
                              matcher_.ClientDeadline(*context));
  absl::Status status = matcher_.Authorize(*context);
  if (status.ok()) {
    status = matcher_.AcquireUploadSlot();
    counted_ = status.ok();
  }
  if (!status.ok()) {
    Done(status);
    return;
  }
  StartRead(&chunk_);
  matcher_.upload_watchdog().Watch(this);
}

void CheckUploadReactor::OnReadDone(bool ok) {
  if (finishing()) return;  // the watchdog ended the call
  if (!ok) {
    EndOfUpload();
    return;
  }
  absl::Status status = header_seen_ ? AddData() : ReadHeader();
  if (!status.ok()) {
    Done(status);
    return;
  }
  StartRead(&chunk_);
}

void CheckUploadReactor::OnDone() {
  matcher_.upload_watchdog().Unwatch(this);
  delete this;
}

bool CheckUploadReactor::ClaimExpiry(absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (finishing_ || arrived_) return false;
  absl::Status status = UploadLimits(now);
  if (status.ok()) return false;
  finishing_ = true;
  expiry_ = std::move(status);
  return true;
}

void CheckUploadReactor::Expire() {
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    status = expiry_;
  }
  FinishWith(status);
}

absl::Status CheckUploadReactor::UploadLimits(absl::Time now) const {
  const MatcherCallContext::Options& options = matcher_.options();
  if (now >= upload_deadline_) {
    return absl::DeadlineExceededError(absl::StrCat(
        "the upload did not arrive within ",
        absl::FormatDuration(upload_deadline_ - start_),
        " of its start (limits.upload_timeout_ms or the call's deadline); ",
        received_, " bytes received"));
  }
  const uint64_t rate = options.upload_min_bytes_per_second;
  const absl::Duration elapsed = now - start_;
  if (rate == 0 || elapsed < options.upload_rate_grace) {
    return absl::OkStatus();
  }
  const double needed = std::min(static_cast<double>(expected_),
                                 rate * absl::ToDoubleSeconds(elapsed));
  if (static_cast<double>(received_) >= needed) return absl::OkStatus();
  return absl::DeadlineExceededError(absl::StrCat(
      "the upload is too slow: ", received_, " bytes in ",
      absl::FormatDuration(absl::Trunc(elapsed, absl::Milliseconds(1))),
      ", under the minimum rate of ", rate,
      " bytes per second (limits.upload_min_bytes_per_second)"));
}

absl::Status CheckUploadReactor::ReadHeader() {
  if (!chunk_.has_header()) {
    return absl::InvalidArgumentError(
        "the first UploadChunk must carry the header");
  }
  const v1::UploadHeader& header = chunk_.header();
  const uint64_t max_bytes = matcher_.options().max_upload_bytes;
  if (header.declared_size() == 0 || header.declared_size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("header.declared_size: ", header.declared_size(),
                     " is outside 1..", max_bytes));
  }
  declared_size_ = header.declared_size();
  request_.set_content_id(header.content_id());
  request_.set_context(header.context());
  *request_.mutable_options() = header.options();
  media_.reserve(std::min<uint64_t>(declared_size_, 16 << 20));
  header_seen_ = true;
  absl::MutexLock lock(&mu_);
  expected_ = declared_size_;
  return absl::OkStatus();
}

absl::Status CheckUploadReactor::AddData() {
  if (!chunk_.has_data() && chunk_.has_header()) {
    return absl::InvalidArgumentError("a second header in one upload");
  }
  if (media_.size() + chunk_.data().size() > declared_size_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "more bytes than the declared size (", declared_size_, ")"));
  }
  media_.append(chunk_.data());
  absl::MutexLock lock(&mu_);
  received_ = media_.size();
  return absl::OkStatus();
}

void CheckUploadReactor::EndOfUpload() {
  if (!header_seen_) {
    Done(absl::InvalidArgumentError("the upload carried no header"));
    return;
  }
  if (media_.size() != declared_size_) {
    Done(absl::InvalidArgumentError(
        absl::StrCat("the upload ended after ", media_.size(),
                     " bytes; the header declared ", declared_size_)));
    return;
  }
  request_.set_media(std::move(media_));
  // The unary size limit does not apply: only the context and syntax.
  absl::Status status = MatchPipeline::ValidateRequest(request_, ~uint64_t{0});
  if (!status.ok()) {
    Done(status);
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (finishing_) return;  // the watchdog was first
    arrived_ = true;         // its limits no longer apply
  }
  const absl::Time deadline = matcher_.Deadline(*context_);
  auto task = [this, deadline] {
    absl::StatusOr<v1::CheckResponse> result = matcher_.pipeline().Check(
        request_, deadline, [this] { return context_->IsCancelled(); });
    if (result.ok()) *response_ = *std::move(result);
    Done(result.status());
  };
  if (!matcher_.pool().TrySubmit(std::move(task))) {
    Done(matcher_.Overloaded());
  }
}

void CheckUploadReactor::Done(const absl::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    if (finishing_) return;
    finishing_ = true;
  }
  FinishWith(status);
}

void CheckUploadReactor::FinishWith(const absl::Status& status) {
  if (counted_) matcher_.ReleaseUploadSlot();
  matcher_.Record("CheckUpload", status, start_);
  Finish(ToGrpcStatus(status));
}

}  // namespace clearmatch
