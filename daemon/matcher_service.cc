// Matcher RPCs: Check, CheckStream, CheckUpload.
#include "daemon/matcher_service.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "daemon/grpc_status_util.h"

namespace clearmatch {
namespace {

absl::Status Overloaded(const WorkerPool& pool) {
  return absl::ResourceExhaustedError(absl::StrCat(
      "all ", pool.workers(),
      " decode workers are busy and the queue is full; retry later"));
}

}  // namespace

absl::Time MatcherService::Deadline(
    const grpc::CallbackServerContext& context) const {
  const auto deadline = context.deadline();
  if (deadline >= std::chrono::system_clock::time_point::max() -
                      std::chrono::hours(24 * 365)) {
    return absl::Now() + options_.default_deadline;
  }
  return absl::FromChrono(deadline);
}

void MatcherService::Record(absl::string_view rpc, const absl::Status& status,
                            absl::Time start) {
  metrics_.CountRequest(rpc, status.code());
  metrics_.ObserveRpcSeconds(rpc, absl::ToDoubleSeconds(absl::Now() - start));
  const absl::string_view reason = RejectionReason(status.code());
  if (!reason.empty()) metrics_.CountRejected(reason);
}

// --- Check -----------------------------------------------------------------

grpc::ServerUnaryReactor* MatcherService::Check(
    grpc::CallbackServerContext* context, const v1::CheckRequest* request,
    v1::CheckResponse* response) {
  const absl::Time start = absl::Now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto finish = [this, reactor, start](const absl::Status& status) {
    Record("Check", status, start);
    reactor->Finish(ToGrpcStatus(status));
  };
  absl::Status status = authorizer_.Authorize(*context, "checker");
  if (status.ok()) {
    status =
        MatchPipeline::ValidateRequest(*request, options_.max_request_bytes);
  }
  if (!status.ok()) {
    finish(status);
    return reactor;
  }
  const absl::Time deadline = Deadline(*context);
  auto run = [this, context, request, response, deadline, finish] {
    absl::StatusOr<v1::CheckResponse> result = pipeline_.Check(
        *request, deadline, [context] { return context->IsCancelled(); });
    if (result.ok()) *response = *std::move(result);
    finish(result.status());
  };
  if (request->media().empty()) {
    run();  // hash-only: microseconds, no decoding
  } else if (!pool_.TrySubmit(std::move(run))) {
    finish(Overloaded(pool_));
  }
  return reactor;
}

// --- CheckStream -------------------------------------------------------------

// Reads requests while fewer than max_stream_inflight are being worked on,
// and writes each response as it is ready (one write in flight at a time).
// Finishes once the client has half-closed, nothing is in flight and every
// response is written.
class MatcherService::StreamReactor
    : public grpc::ServerBidiReactor<v1::CheckRequest, v1::CheckResponse> {
 public:
  StreamReactor(MatcherService& service, grpc::CallbackServerContext* context)
      : service_(service), context_(context), start_(absl::Now()) {
    const absl::Status status =
        service_.authorizer_.Authorize(*context, "checker");
    if (!status.ok()) {
      {
        absl::MutexLock lock(&mu_);
        finished_ = true;
      }
      service_.Record("CheckStream", status, start_);
      Finish(ToGrpcStatus(status));
      return;
    }
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
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
      if (inflight_ < service_.options_.max_stream_inflight) {
        read = true;
      } else {
        read_paused_ = true;
      }
    }
    if (read) StartRead(&incoming_);
  }

  void OnWriteDone(bool ok) override {
    const v1::CheckResponse* next = nullptr;
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
    }
    // Start* and Finish are called without the lock: once Finish is called
    // OnDone may delete this on another thread.
    if (next != nullptr) StartWrite(next);
    if (finish) DoFinish();
  }

  void OnDone() override { delete this; }

 private:
  void Handle(v1::CheckRequest request) {
    const absl::Time item_start = absl::Now();
    const absl::Status status = MatchPipeline::ValidateRequest(
        request, service_.options_.max_request_bytes);
    if (!status.ok()) {
      Reply(request.content_id(), status, {}, item_start);
      return;
    }
    if (request.media().empty()) {
      Run(request, item_start);
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
    if (!service_.pool_.TrySubmit(std::move(task))) {
      // `task` was dropped unrun: answer and undo its count here.
      Reply(content_id, Overloaded(service_.pool_), {}, item_start);
      TaskDone();
    }
  }

  void Run(const v1::CheckRequest& request, absl::Time item_start) {
    absl::StatusOr<v1::CheckResponse> result =
        service_.pipeline_.Check(request, service_.Deadline(*context_),
                                 [this] { return context_->IsCancelled(); });
    Reply(request.content_id(), result.status(),
          result.ok() ? *std::move(result) : v1::CheckResponse(), item_start);
  }

  void TaskDone() {
    bool read = false;
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      --inflight_;
      if (read_paused_ && !reads_done_) {
        read_paused_ = false;
        read = true;
      }
      finish = ShouldFinishLocked();
    }
    if (read) StartRead(&incoming_);
    if (finish) DoFinish();
  }

  // Queues a response. The caller holds a read or an in-flight count, so
  // the stream cannot finish under it.
  void Reply(const std::string& content_id, const absl::Status& status,
             v1::CheckResponse response, absl::Time item_start) {
    service_.Record("CheckStream.item", status, item_start);
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

  // True once (and marks the stream finished) when the client has
  // half-closed, nothing is in flight and every response is written.
  bool ShouldFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || !reads_done_ || inflight_ > 0 || writing_) return false;
    finished_ = true;
    return true;
  }

  void DoFinish() {
    const absl::Status status =
        context_->IsCancelled() ? absl::CancelledError("the client cancelled")
                                : absl::OkStatus();
    service_.Record("CheckStream", status, start_);
    Finish(ToGrpcStatus(status));
  }

  MatcherService& service_;
  grpc::CallbackServerContext* const context_;
  const absl::Time start_;
  v1::CheckRequest incoming_;  // only touched by the read in flight

  absl::Mutex mu_;
  std::deque<v1::CheckResponse> outgoing_ ABSL_GUARDED_BY(mu_);
  int inflight_ ABSL_GUARDED_BY(mu_) = 0;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

grpc::ServerBidiReactor<v1::CheckRequest, v1::CheckResponse>*
MatcherService::CheckStream(grpc::CallbackServerContext* context) {
  return new StreamReactor(*this, context);
}

// --- CheckUpload -------------------------------------------------------------

// Collects the header and the bytes (bounded by the declared size and
// max_upload_bytes), then runs the check on the pool.
class MatcherService::UploadReactor
    : public grpc::ServerReadReactor<v1::UploadChunk> {
 public:
  UploadReactor(MatcherService& service, grpc::CallbackServerContext* context,
                v1::CheckResponse* response)
      : service_(service),
        context_(context),
        response_(response),
        start_(absl::Now()) {
    absl::Status status = service_.authorizer_.Authorize(*context, "checker");
    if (status.ok() && service_.uploads_in_progress_.fetch_add(1) >=
                           service_.options_.max_concurrent_uploads) {
      service_.uploads_in_progress_.fetch_sub(1);
      status = absl::ResourceExhaustedError(
          absl::StrCat(service_.options_.max_concurrent_uploads,
                       " uploads are already in progress; retry later"));
    } else if (status.ok()) {
      counted_ = true;
    }
    if (!status.ok()) {
      Done(status);
      return;
    }
    StartRead(&chunk_);
  }

  void OnReadDone(bool ok) override {
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

  void OnDone() override {
    if (counted_) service_.uploads_in_progress_.fetch_sub(1);
    delete this;
  }

 private:
  absl::Status ReadHeader() {
    if (!chunk_.has_header()) {
      return absl::InvalidArgumentError(
          "the first UploadChunk must carry the header");
    }
    const v1::UploadHeader& header = chunk_.header();
    if (header.declared_size() == 0 ||
        header.declared_size() > service_.options_.max_upload_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("header.declared_size: ", header.declared_size(),
                       " is outside 1..", service_.options_.max_upload_bytes));
    }
    declared_size_ = header.declared_size();
    request_.set_content_id(header.content_id());
    request_.set_context(header.context());
    *request_.mutable_options() = header.options();
    media_.reserve(std::min<uint64_t>(declared_size_, 16 << 20));
    header_seen_ = true;
    return absl::OkStatus();
  }

  absl::Status AddData() {
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

  void EndOfUpload() {
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
    absl::Status status =
        MatchPipeline::ValidateRequest(request_, ~uint64_t{0});
    if (!status.ok()) {
      Done(status);
      return;
    }
    const absl::Time deadline = service_.Deadline(*context_);
    auto task = [this, deadline] {
      absl::StatusOr<v1::CheckResponse> result = service_.pipeline_.Check(
          request_, deadline, [this] { return context_->IsCancelled(); });
      if (result.ok()) *response_ = *std::move(result);
      Done(result.status());
    };
    if (!service_.pool_.TrySubmit(std::move(task))) {
      Done(Overloaded(service_.pool_));
    }
  }

  void Done(const absl::Status& status) {
    service_.Record("CheckUpload", status, start_);
    Finish(ToGrpcStatus(status));
  }

  MatcherService& service_;
  grpc::CallbackServerContext* const context_;
  v1::CheckResponse* const response_;
  const absl::Time start_;
  bool counted_ = false;
  // Only touched by the one read in flight, then by the one task.
  v1::UploadChunk chunk_;
  bool header_seen_ = false;
  uint64_t declared_size_ = 0;
  std::string media_;
  v1::CheckRequest request_;
};

grpc::ServerReadReactor<v1::UploadChunk>* MatcherService::CheckUpload(
    grpc::CallbackServerContext* context, v1::CheckResponse* response) {
  return new UploadReactor(*this, context, response);
}

}  // namespace clearmatch
