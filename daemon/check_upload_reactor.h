// CheckUploadReactor: one Matcher.CheckUpload call. Collects the header and
// the bytes (bounded by the declared size and max_upload_bytes), then runs
// the check on the worker pool. Holds one of max_concurrent_uploads slots
// from its start to its end.
//
// The upload must arrive within upload_timeout of the call's start (or the
// client's deadline if sooner) and, after upload_rate_grace, average at
// least upload_min_bytes_per_second (counting at most the declared size):
// else the UploadWatchdog ends it with DEADLINE_EXCEEDED, which frees its
// slot at once.
//
// Thread-safe: gRPC runs one reaction at a time, the watchdog may end the
// call meanwhile (mu_ decides who finishes), then the one pool task runs.
// Deletes itself in OnDone.
#ifndef CLEARMATCH_DAEMON_CHECK_UPLOAD_REACTOR_H_
#define CLEARMATCH_DAEMON_CHECK_UPLOAD_REACTOR_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <cstdint>
#include <limits>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clearmatch/v1/matcher.pb.h"
#include "daemon/matcher_call_context.h"
#include "daemon/upload_watchdog.h"

namespace clearmatch {

class CheckUploadReactor final
    : public grpc::ServerReadReactor<v1::UploadChunk>,
      private UploadWatchdog::Watched {
 public:
  CheckUploadReactor(MatcherCallContext& matcher,
                     grpc::CallbackServerContext* context,
                     v1::CheckResponse* response);

  void OnReadDone(bool ok) override;
  void OnDone() override;

 private:
  bool ClaimExpiry(absl::Time now) override;
  void Expire() override;
  // OK, or why the upload is over its deadline or under its rate at `now`.
  absl::Status UploadLimits(absl::Time now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Status ReadHeader();
  absl::Status AddData();
  void EndOfUpload();
  // Finishes the call with `status` unless it is already finishing.
  void Done(const absl::Status& status);
  // Frees the slot, counts and finishes. Once per call.
  void FinishWith(const absl::Status& status);
  bool finishing() {
    absl::MutexLock lock(&mu_);
    return finishing_;
  }

  MatcherCallContext& matcher_;
  grpc::CallbackServerContext* const context_;
  v1::CheckResponse* const response_;
  const absl::Time start_;
  absl::Time upload_deadline_;  // set in the constructor, then read-only
  bool counted_ = false;        // holds an upload slot; idem

  absl::Mutex mu_;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  bool arrived_ ABSL_GUARDED_BY(mu_) = false;  // whole upload received
  uint64_t received_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t expected_ ABSL_GUARDED_BY(mu_) =
      std::numeric_limits<uint64_t>::max();  // declared size once known
  absl::Status expiry_ ABSL_GUARDED_BY(mu_);

  // Only touched by the one reaction running, then by the one task.
  v1::UploadChunk chunk_;
  bool header_seen_ = false;
  uint64_t declared_size_ = 0;
  std::string media_;
  v1::CheckRequest request_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_CHECK_UPLOAD_REACTOR_H_
