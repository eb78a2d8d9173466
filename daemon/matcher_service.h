// MatcherService: the Matcher gRPC service (callback API). A thin layer:
// each call is authorized, validated, timed and counted here; the work is
// MatchPipeline's. Media checks go to the bounded WorkerPool (a full pool
// answers RESOURCE_EXHAUSTED at once); hash-only checks run inline (a few
// microseconds of search).
//
// Thread-safe; borrows everything, which must outlive the gRPC server.
#ifndef CLEARMATCH_DAEMON_MATCHER_SERVICE_H_
#define CLEARMATCH_DAEMON_MATCHER_SERVICE_H_

#include <atomic>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "daemon/daemon_metrics.h"
#include "daemon/match_pipeline.h"
#include "daemon/request_authorizer.h"
#include "daemon/worker_pool.h"

namespace clearmatch {

class MatcherService final : public v1::Matcher::CallbackService {
 public:
  struct Options {
    uint64_t max_request_bytes = 16 << 20;
    uint64_t max_upload_bytes = uint64_t{256} << 20;
    // CheckUpload calls receiving bytes at once; more are refused
    // (RESOURCE_EXHAUSTED) so that uploads cannot exhaust memory.
    int max_concurrent_uploads = 4;
    int max_stream_inflight = 4;
    // Used when the client sets no deadline.
    absl::Duration default_deadline = absl::Seconds(30);
  };

  MatcherService(Options options, const MatchPipeline& pipeline,
                 WorkerPool& pool, DaemonMetrics& metrics,
                 const RequestAuthorizer& authorizer)
      : options_(options),
        pipeline_(pipeline),
        pool_(pool),
        metrics_(metrics),
        authorizer_(authorizer) {}

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const v1::CheckRequest* request,
                                  v1::CheckResponse* response) override;
  grpc::ServerBidiReactor<v1::CheckRequest, v1::CheckResponse>* CheckStream(
      grpc::CallbackServerContext* context) override;
  grpc::ServerReadReactor<v1::UploadChunk>* CheckUpload(
      grpc::CallbackServerContext* context,
      v1::CheckResponse* response) override;

 private:
  class StreamReactor;
  class UploadReactor;

  absl::Time Deadline(const grpc::CallbackServerContext& context) const;
  // Counts and times a finished call (or stream item).
  void Record(absl::string_view rpc, const absl::Status& status,
              absl::Time start);

  const Options options_;
  const MatchPipeline& pipeline_;
  WorkerPool& pool_;
  DaemonMetrics& metrics_;
  const RequestAuthorizer& authorizer_;
  std::atomic<int> uploads_in_progress_{0};
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_MATCHER_SERVICE_H_
