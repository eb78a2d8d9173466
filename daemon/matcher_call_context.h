// MatcherCallContext: what every Matcher call shares: the options, the
// borrowed pipeline, worker pool, metrics and authorizer, and the steps each
// call takes (authorize, pick a deadline, count and time the result, hold
// an upload slot) and the UploadWatchdog that ends slow uploads.
// MatcherService owns one; the stream and upload reactors
// (check_stream_reactor.h, check_upload_reactor.h) borrow it.
//
// Thread-safe; borrows everything, which must outlive the gRPC server.
#ifndef CLEARMATCH_DAEMON_MATCHER_CALL_CONTEXT_H_
#define CLEARMATCH_DAEMON_MATCHER_CALL_CONTEXT_H_

#include <grpcpp/server_context.h>

#include <atomic>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/daemon_metrics.h"
#include "daemon/match_pipeline.h"
#include "daemon/request_authorizer.h"
#include "daemon/upload_watchdog.h"
#include "daemon/worker_pool.h"

namespace clearmatch {

class MatcherCallContext {
 public:
  struct Options {
    uint64_t max_request_bytes = 16 << 20;
    uint64_t max_upload_bytes = uint64_t{256} << 20;
    // CheckUpload calls receiving bytes at once; more are refused
    // (RESOURCE_EXHAUSTED) so that uploads cannot exhaust memory.
    int max_concurrent_uploads = 4;
    int max_stream_inflight = 4;
    // CheckStream responses waiting to be written; while this many wait the
    // stream reads no more requests.
    int max_stream_outgoing = 64;
    // Used when the client sets no deadline.
    absl::Duration default_deadline = absl::Seconds(30);
    // CheckUpload: the whole upload within this of the call's start...
    absl::Duration upload_timeout = absl::Minutes(2);
    // ...and, after upload_rate_grace, at least this many bytes per second
    // on average (0: no rate limit).
    uint64_t upload_min_bytes_per_second = 65536;
    absl::Duration upload_rate_grace = absl::Seconds(5);
    // How often the watchdog looks at the uploads.
    absl::Duration upload_watchdog_tick = absl::Milliseconds(100);
  };

  MatcherCallContext(Options options, const MatchPipeline& pipeline,
                     WorkerPool& pool, DaemonMetrics& metrics,
                     const RequestAuthorizer& authorizer)
      : options_(options),
        pipeline_(pipeline),
        pool_(pool),
        metrics_(metrics),
        authorizer_(authorizer),
        upload_watchdog_(options.upload_watchdog_tick) {}
  MatcherCallContext(const MatcherCallContext&) = delete;
  MatcherCallContext& operator=(const MatcherCallContext&) = delete;

  const Options& options() const { return options_; }
  const MatchPipeline& pipeline() const { return pipeline_; }
  WorkerPool& pool() const { return pool_; }
  UploadWatchdog& upload_watchdog() { return upload_watchdog_; }

  // OK when the caller may use the Matcher service ("checker" role).
  absl::Status Authorize(const grpc::CallbackServerContext& context) const;
  // The client's deadline; absl::InfiniteFuture() when it set none.
  absl::Time ClientDeadline(const grpc::CallbackServerContext& context) const;
  // The client's deadline, or now + default_deadline when it set none.
  absl::Time Deadline(const grpc::CallbackServerContext& context) const;
  // Counts and times a finished call (or stream item).
  void Record(absl::string_view rpc, const absl::Status& status,
              absl::Time start) const;
  // RESOURCE_EXHAUSTED: the worker pool refused a task.
  absl::Status Overloaded() const;

  // Takes one of max_concurrent_uploads slots: OK, or RESOURCE_EXHAUSTED
  // when every slot is taken. An OK must be paired with ReleaseUploadSlot.
  absl::Status AcquireUploadSlot();
  void ReleaseUploadSlot();

 private:
  const Options options_;
  const MatchPipeline& pipeline_;
  WorkerPool& pool_;
  DaemonMetrics& metrics_;
  const RequestAuthorizer& authorizer_;
  std::atomic<int> uploads_in_progress_{0};
  UploadWatchdog upload_watchdog_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_MATCHER_CALL_CONTEXT_H_
