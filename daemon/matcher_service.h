// MatcherService: the Matcher gRPC service (callback API). A thin layer:
// each call is authorized, validated, timed and counted (MatcherCallContext);
// the work is MatchPipeline's. Every check, media or hash-only, runs on the
// bounded WorkerPool (a full pool answers RESOURCE_EXHAUSTED at once): the
// gRPC callback threads only validate and hand off. CheckStream and
// CheckUpload are reactors of their own (check_stream_reactor.h,
// check_upload_reactor.h).
//
// Thread-safe; borrows everything, which must outlive the gRPC server.
#ifndef CLEARMATCH_DAEMON_MATCHER_SERVICE_H_
#define CLEARMATCH_DAEMON_MATCHER_SERVICE_H_

#include "clearmatch/v1/matcher.grpc.pb.h"
#include "daemon/daemon_metrics.h"
#include "daemon/match_pipeline.h"
#include "daemon/matcher_call_context.h"
#include "daemon/request_authorizer.h"
#include "daemon/worker_pool.h"

namespace clearmatch {

class MatcherService final : public v1::Matcher::CallbackService {
 public:
  using Options = MatcherCallContext::Options;

  MatcherService(Options options, const MatchPipeline& pipeline,
                 WorkerPool& pool, DaemonMetrics& metrics,
                 const RequestAuthorizer& authorizer)
      : matcher_(options, pipeline, pool, metrics, authorizer) {}

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const v1::CheckRequest* request,
                                  v1::CheckResponse* response) override;
  grpc::ServerBidiReactor<v1::CheckRequest, v1::CheckResponse>* CheckStream(
      grpc::CallbackServerContext* context) override;
  grpc::ServerReadReactor<v1::UploadChunk>* CheckUpload(
      grpc::CallbackServerContext* context,
      v1::CheckResponse* response) override;

 private:
  MatcherCallContext matcher_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_MATCHER_SERVICE_H_
