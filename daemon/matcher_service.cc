// Matcher RPCs: Check here; CheckStream and CheckUpload are reactors.
#include "daemon/matcher_service.h"

#include <utility>

#include "daemon/check_stream_reactor.h"
#include "daemon/check_upload_reactor.h"
#include "daemon/grpc_status_util.h"

namespace clearmatch {

grpc::ServerUnaryReactor* MatcherService::Check(
    grpc::CallbackServerContext* context, const v1::CheckRequest* request,
    v1::CheckResponse* response) {
  const absl::Time start = absl::Now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto finish = [this, reactor, start](const absl::Status& status) {
    matcher_.Record("Check", status, start);
    reactor->Finish(ToGrpcStatus(status));
  };
  absl::Status status = matcher_.Authorize(*context);
  if (status.ok()) {
    status = MatchPipeline::ValidateRequest(
        *request, matcher_.options().max_request_bytes);
  }
  if (!status.ok()) {
    finish(status);
    return reactor;
  }
  const absl::Time deadline = matcher_.Deadline(*context);
  auto run = [this, context, request, response, deadline, finish] {
    absl::StatusOr<v1::CheckResponse> result = matcher_.pipeline().Check(
        *request, deadline, [context] { return context->IsCancelled(); });
    if (result.ok()) *response = *std::move(result);
    finish(result.status());
  };
  // Hash-only checks too: a 100,000-frame vPDQ list is real work, and no
  // callback thread may be held by it.
  if (!matcher_.pool().TrySubmit(std::move(run))) {
    finish(matcher_.Overloaded());
  }
  return reactor;
}

grpc::ServerBidiReactor<v1::CheckRequest, v1::CheckResponse>*
MatcherService::CheckStream(grpc::CallbackServerContext* context) {
  return new CheckStreamReactor(matcher_, context);
}

grpc::ServerReadReactor<v1::UploadChunk>* MatcherService::CheckUpload(
    grpc::CallbackServerContext* context, v1::CheckResponse* response) {
  return new CheckUploadReactor(matcher_, context, response);
}

}  // namespace clearmatch
