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
}

void CheckUploadReactor::OnReadDone(bool ok) {
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
  if (counted_) matcher_.ReleaseUploadSlot();
  delete this;
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
  matcher_.Record("CheckUpload", status, start_);
  Finish(ToGrpcStatus(status));
}

}  // namespace clearmatch
