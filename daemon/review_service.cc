// Review RPCs: a thin layer over ReviewStore, whose calls run on the review
// WorkerPool.
#include "daemon/review_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "daemon/grpc_status_util.h"

namespace clearmatch {
namespace {

// The store call that sets `*response` to what `read` returns.
template <typename Response, typename Read>
absl::AnyInvocable<absl::Status() &&> Respond(Response* response, Read read) {
  return [response, read = std::move(read)]() mutable -> absl::Status {
    CM_ASSIGN_OR_RETURN(*response, read());
    return absl::OkStatus();
  };
}

// `request` with the authenticated caller as its reviewer
// (ReviewService::ReviewerOf).
template <typename Request>
absl::StatusOr<Request> WithReviewer(const RequestAuthorizer& authorizer,
                                     const grpc::CallbackServerContext& context,
                                     const Request& request) {
  CM_ASSIGN_OR_RETURN(Principal caller, authorizer.Authenticate(context));
  CM_ASSIGN_OR_RETURN(std::string reviewer,
                      ReviewService::ReviewerOf(caller, request.reviewer()));
  Request copy = request;
  *copy.mutable_reviewer() = std::move(reviewer);
  return copy;
}

}  // namespace

absl::StatusOr<std::string> ReviewService::ReviewerOf(
    const Principal& caller, absl::string_view requested) {
  if (!caller.authenticated()) {
    // Run refuses the call before this matters (the role needs a caller).
    return absl::UnauthenticatedError("reviewer: the caller is anonymous");
  }
  if (!requested.empty() && requested != caller.name()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "reviewer: \"", requested, "\" is not the caller, ",
        caller.Description(),
        "; the reviewer recorded is always the authenticated caller (leave "
        "reviewer empty)"));
  }
  return caller.name();
}

grpc::ServerUnaryReactor* ReviewService::Run(
    grpc::CallbackServerContext* context, absl::string_view rpc,
    absl::string_view role, const absl::Status& validation,
    StoreCall store_call) {
  const absl::Time start = absl::Now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto finish = [this, reactor, rpc, start](const absl::Status& status) {
    metrics_.CountRequest(rpc, status.code());
    metrics_.ObserveRpcSeconds(rpc, absl::ToDoubleSeconds(absl::Now() - start));
    reactor->Finish(ToGrpcStatus(status));
  };
  absl::Status status = authorizer_.Authorize(*context, role);
  if (status.ok()) status = validation;
  if (!status.ok()) {
    finish(status);
    return reactor;
  }
  auto task = [context, store_call = std::move(store_call), finish]() mutable {
    if (context->IsCancelled()) {
      finish(absl::CancelledError(
          "the call was cancelled (or its deadline passed) while it waited in "
          "the review queue"));
      return;
    }
    finish(std::move(store_call)());
  };
  if (!pool_.TrySubmit(std::move(task))) {
    metrics_.CountRejected(
        RejectionReason(absl::StatusCode::kResourceExhausted));
    finish(absl::ResourceExhaustedError(
        absl::StrCat("review queue full: ", pool_.Load(),
                     " review calls are running or waiting; retry later")));
  }
  return reactor;
}

grpc::ServerUnaryReactor* ReviewService::ListMatches(
    grpc::CallbackServerContext* context, const v1::ListMatchesRequest* request,
    v1::ListMatchesResponse* response) {
  return Run(context, "ListMatches", "reviewer", absl::OkStatus(),
             Respond(response, [this, request] {
               store_.Flush();
               return store_.ListMatches(*request);
             }));
}

grpc::ServerUnaryReactor* ReviewService::GetMatch(
    grpc::CallbackServerContext* context, const v1::GetMatchRequest* request,
    v1::MatchRecord* response) {
  return Run(context, "GetMatch", "reviewer", absl::OkStatus(),
             Respond(response, [this, request] {
               return store_.GetMatch(request->match_id());
             }));
}

grpc::ServerUnaryReactor* ReviewService::Decide(
    grpc::CallbackServerContext* context, const v1::DecideRequest* request,
    v1::MatchRecord* response) {
  absl::StatusOr<v1::DecideRequest> decide =
      WithReviewer(authorizer_, *context, *request);
  const absl::Status validation = decide.status();  // before the move
  return Run(context, "Decide", "reviewer", validation,
             Respond(response, [this, decide = std::move(decide)] {
               absl::StatusOr<v1::MatchRecord> record = store_.Decide(*decide);
               if (record.ok() && on_decided_) on_decided_();
               return record;
             }));
}

grpc::ServerUnaryReactor* ReviewService::ExportConfirmed(
    grpc::CallbackServerContext* context,
    const v1::ExportConfirmedRequest* request,
    v1::ExportConfirmedResponse* response) {
  return Run(context, "ExportConfirmed", "reviewer", absl::OkStatus(),
             Respond(response, [this, request] {
               return store_.ExportConfirmed(*request);
             }));
}

grpc::ServerUnaryReactor* ReviewService::ListAllowlist(
    grpc::CallbackServerContext* context,
    const v1::ListAllowlistRequest* request,
    v1::ListAllowlistResponse* response) {
  return Run(context, "ListAllowlist", "admin", absl::OkStatus(),
             Respond(response, [this, request] {
               return store_.ListAllowlist(*request);
             }));
}

grpc::ServerUnaryReactor* ReviewService::RemoveAllowlistEntry(
    grpc::CallbackServerContext* context,
    const v1::RemoveAllowlistEntryRequest* request,
    v1::RemoveAllowlistEntryResponse*) {
  absl::StatusOr<v1::RemoveAllowlistEntryRequest> remove =
      WithReviewer(authorizer_, *context, *request);
  const absl::Status validation = remove.status();  // before the move
  return Run(context, "RemoveAllowlistEntry", "admin", validation,
             [this, remove = std::move(remove)]() mutable {
               return store_.RemoveAllowlistEntry(*remove);
             });
}

grpc::ServerUnaryReactor* ReviewService::ListFeedback(
    grpc::CallbackServerContext* context,
    const v1::ListFeedbackRequest* request,
    v1::ListFeedbackResponse* response) {
  return Run(context, "ListFeedback", "reviewer", absl::OkStatus(),
             Respond(response, [this, request] {
               return store_.ListFeedback(*request);
             }));
}

grpc::ServerUnaryReactor* ReviewService::ListAudit(
    grpc::CallbackServerContext* context, const v1::ListAuditRequest* request,
    v1::ListAuditResponse* response) {
  return Run(context, "ListAudit", "reviewer", absl::OkStatus(),
             Respond(response,
                     [this, request] { return store_.ListAudit(*request); }));
}

grpc::ServerUnaryReactor* ReviewService::GetStats(
    grpc::CallbackServerContext* context, const v1::GetStatsRequest* request,
    v1::ReviewStats* response) {
  return Run(context, "GetStats", "reviewer", absl::OkStatus(),
             Respond(response, [this, request] {
               store_.Flush();
               return store_.GetStats(*request);
             }));
}

}  // namespace clearmatch
