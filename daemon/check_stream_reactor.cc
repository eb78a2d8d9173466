// Matcher.CheckStream: one reactor per stream.
#include "daemon/check_stream_reactor.h"

#include <utility>

#include "daemon/grpc_status_util.h"

namespace clearmatch {

CheckStreamReactor::CheckStreamReactor(MatcherCallContext& matcher,
                                       grpc::CallbackServerContext* context)
    : matcher_(matcher), context_(context), start_(absl::Now()) {
  const absl::Status status = matcher_.Authorize(*context);
  if (!status.ok()) {
    {
      absl::MutexLock lock(&mu_);
      finished_ = true;
    }
    matcher_.Record("CheckStream", status, start_);
    Finish(ToGrpcStatus(status));
    return;
  }
  StartRead(&incoming_);
}

void CheckStreamReactor::OnReadDone(bool ok) {
  if (!ok) {
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      reads_done_ = true;
      finish = ShouldFinishLocked();
    }
    if (finish) DoFinish();
    return;
  }
  v1::CheckRequest request = std::move(incoming_);
  incoming_.Clear();
  Handle(std::move(request));
  bool read = false;
  {
    absl::MutexLock lock(&mu_);
    read = CanReadLocked();
    read_paused_ = !read;
  }
  if (read) StartRead(&incoming_);
}

void CheckStreamReactor::OnWriteDone(bool ok) {
  const v1::CheckResponse* next = nullptr;
  bool read = false;
  bool finish = false;
  {
    absl::MutexLock lock(&mu_);
    outgoing_.pop_front();
    if (!ok) {
      write_failed_ = true;
      outgoing_.clear();
    }
    if (!outgoing_.empty()) {
      next = &outgoing_.front();
    } else {
      writing_ = false;
      finish = ShouldFinishLocked();
    }
    read = !finish && ResumeReadLocked();
  }
  // Start* and Finish are called without the lock: once Finish is called
  // OnDone may delete this on another thread.
  if (next != nullptr) StartWrite(next);
  if (read) StartRead(&incoming_);
  if (finish) DoFinish();
}

void CheckStreamReactor::Handle(v1::CheckRequest request) {
  const absl::Time item_start = absl::Now();
  const absl::Status status = MatchPipeline::ValidateRequest(
      request, matcher_.options().max_request_bytes);
  if (!status.ok()) {
    Reply(request.content_id(), status, {}, item_start);
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    ++inflight_;
  }
  const std::string content_id = request.content_id();
  auto task = [this, request = std::move(request), item_start]() mutable {
    Run(request, item_start);
    TaskDone();
  };
  if (!matcher_.pool().TrySubmit(std::move(task))) {
    // `task` was dropped unrun: answer and undo its count here.
    Reply(content_id, matcher_.Overloaded(), {}, item_start);
    TaskDone();
  }
}

void CheckStreamReactor::Run(const v1::CheckRequest& request,
                             absl::Time item_start) {
  absl::StatusOr<v1::CheckResponse> result =
      matcher_.pipeline().Check(request, matcher_.Deadline(*context_),
                                [this] { return context_->IsCancelled(); });
  Reply(request.content_id(), result.status(),
        result.ok() ? *std::move(result) : v1::CheckResponse(), item_start);
}

void CheckStreamReactor::TaskDone() {
  bool read = false;
  bool finish = false;
  {
    absl::MutexLock lock(&mu_);
    --inflight_;
    read = ResumeReadLocked();
    finish = ShouldFinishLocked();
  }
  if (read) StartRead(&incoming_);
  if (finish) DoFinish();
}

void CheckStreamReactor::Reply(const std::string& content_id,
                               const absl::Status& status,
                               v1::CheckResponse response,
                               absl::Time item_start) {
  matcher_.Record("CheckStream.item", status, item_start);
  if (!status.ok()) {
    response.Clear();
    response.set_content_id(content_id);
    response.mutable_error()->set_code(static_cast<int>(status.code()));
    response.mutable_error()->set_message(std::string(status.message()));
  }
  const v1::CheckResponse* next = nullptr;
  {
    absl::MutexLock lock(&mu_);
    if (write_failed_ || finished_) return;
    outgoing_.push_back(std::move(response));
    if (!writing_) {
      writing_ = true;
      next = &outgoing_.front();
    }
  }
  if (next != nullptr) StartWrite(next);
}

bool CheckStreamReactor::CanReadLocked() const {
  const MatcherCallContext::Options& options = matcher_.options();
  return inflight_ < options.max_stream_inflight &&
         outgoing_.size() < static_cast<size_t>(options.max_stream_outgoing);
}

bool CheckStreamReactor::ResumeReadLocked() {
  if (!read_paused_ || reads_done_ || finished_ || !CanReadLocked()) {
    return false;
  }
  read_paused_ = false;
  return true;
}

bool CheckStreamReactor::ShouldFinishLocked() {
  if (finished_ || !reads_done_ || inflight_ > 0 || writing_) return false;
  finished_ = true;
  return true;
}

void CheckStreamReactor::DoFinish() {
  const absl::Status status = context_->IsCancelled()
                                  ? absl::CancelledError("the client cancelled")
                                  : absl::OkStatus();
  matcher_.Record("CheckStream", status, start_);
  Finish(ToGrpcStatus(status));
}

}  // namespace clearmatch
