// CheckStreamReactor: one Matcher.CheckStream call. Reads requests while
// fewer than max_stream_inflight are being worked on, and writes each
// response as it is ready (one write in flight at a time). Finishes once the
// client has half-closed, nothing is in flight and every response is
// written.
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
