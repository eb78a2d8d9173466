// Review RPCs: the gRPC side of ReviewCalls.
#include "daemon/review_service.h"

#include "daemon/grpc_status_util.h"

namespace clearmatch {

template <typename Request, typename Response, typename Method>
grpc::ServerUnaryReactor* ReviewService::Start(
    grpc::CallbackServerContext* context, Method method, const Request* request,
    Response* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  (calls_.*method)(
      authorizer_.Authenticate(*context), *request, response,
      [context] { return context->IsCancelled(); },
      [reactor](const absl::Status& status) {
        reactor->Finish(ToGrpcStatus(status));
      });
  return reactor;
}

grpc::ServerUnaryReactor* ReviewService::ListMatches(
    grpc::CallbackServerContext* context, const v1::ListMatchesRequest* request,
    v1::ListMatchesResponse* response) {
  return Start(context, &ReviewCalls::ListMatches, request, response);
}

grpc::ServerUnaryReactor* ReviewService::GetMatch(
    grpc::CallbackServerContext* context, const v1::GetMatchRequest* request,
    v1::MatchRecord* response) {
  return Start(context, &ReviewCalls::GetMatch, request, response);
}

grpc::ServerUnaryReactor* ReviewService::Decide(
    grpc::CallbackServerContext* context, const v1::DecideRequest* request,
    v1::MatchRecord* response) {
  return Start(context, &ReviewCalls::Decide, request, response);
}

grpc::ServerUnaryReactor* ReviewService::ExportConfirmed(
    grpc::CallbackServerContext* context,
    const v1::ExportConfirmedRequest* request,
    v1::ExportConfirmedResponse* response) {
  return Start(context, &ReviewCalls::ExportConfirmed, request, response);
}

grpc::ServerUnaryReactor* ReviewService::ListAllowlist(
    grpc::CallbackServerContext* context,
    const v1::ListAllowlistRequest* request,
    v1::ListAllowlistResponse* response) {
  return Start(context, &ReviewCalls::ListAllowlist, request, response);
}

grpc::ServerUnaryReactor* ReviewService::RemoveAllowlistEntry(
    grpc::CallbackServerContext* context,
    const v1::RemoveAllowlistEntryRequest* request,
    v1::RemoveAllowlistEntryResponse* response) {
  return Start(context, &ReviewCalls::RemoveAllowlistEntry, request, response);
}

grpc::ServerUnaryReactor* ReviewService::ListFeedback(
    grpc::CallbackServerContext* context,
    const v1::ListFeedbackRequest* request,
    v1::ListFeedbackResponse* response) {
  return Start(context, &ReviewCalls::ListFeedback, request, response);
}

grpc::ServerUnaryReactor* ReviewService::ListAudit(
    grpc::CallbackServerContext* context, const v1::ListAuditRequest* request,
    v1::ListAuditResponse* response) {
  return Start(context, &ReviewCalls::ListAudit, request, response);
}

grpc::ServerUnaryReactor* ReviewService::GetStats(
    grpc::CallbackServerContext* context, const v1::GetStatsRequest* request,
    v1::ReviewStats* response) {
  return Start(context, &ReviewCalls::GetStats, request, response);
}

}  // namespace clearmatch
