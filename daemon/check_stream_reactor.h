// CheckStreamReactor: one Matcher.CheckStream call. Each request is
// validated here and checked on the worker pool (hash-only ones too: a
// 100,000-frame vPDQ list is real work). Reads requests while fewer than
// max_stream_inflight are being worked on and fewer than max_stream_outgoing
// responses wait to be written; otherwise it stops reading, so HTTP/2 flow
// control holds a client that sends faster than it reads. Writes each
// response as it is ready (one write in flight at a time). Finishes once the
// client has half-closed, nothing is in flight and every response is
// written.
//
// Memory per stream: one request being read, at most max_stream_inflight
// requests at work, at most max_stream_outgoing + max_stream_inflight
// responses queued.
//
// Thread-safe (gRPC callbacks and pool tasks); deletes itself in OnDone.
#ifndef CLEARMATCH_DAEMON_CHECK_STREAM_REACTOR_H_
#define CLEARMATCH_DAEMON_CHECK_STREAM_REACTOR_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <deque>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clearmatch/v1/matcher.pb.h"
#include "daemon/matcher_call_context.h"

namespace clearmatch {

class CheckStreamReactor final
    : public grpc::ServerBidiReactor<v1::CheckRequest, v1::CheckResponse> {
 public:
  CheckStreamReactor(MatcherCallContext& matcher,
                     grpc::CallbackServerContext* context);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  void Handle(v1::CheckRequest request);
  void Run(const v1::CheckRequest& request, absl::Time item_start);
  void TaskDone();
  // Whether another request may be read now.
  bool CanReadLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // True (and unpauses) when reading is paused and may go on now.
  bool ResumeReadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues a response. The caller holds a read or an in-flight count, so
  // the stream cannot finish under it.
  void Reply(const std::string& content_id, const absl::Status& status,
             v1::CheckResponse response, absl::Time item_start);
  // True once (and marks the stream finished) when the client has
  // half-closed, nothing is in flight and every response is written.
  bool ShouldFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DoFinish();

  MatcherCallContext& matcher_;
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

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_CHECK_STREAM_REACTOR_H_
