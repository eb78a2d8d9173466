// Review RPCs: a thin layer over ReviewStore, whose calls run on the review
// WorkerPool.
#include "daemon/review_service.h"

#include <grpcpp/security/auth_context.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "daemon/grpc_status_util.h"

namespace clearmatch {

absl::StatusOr<std::string> ReviewService::ReviewerOf(
    const grpc::CallbackServerContext& context, absl::string_view requested) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    for (const grpc::string_ref& value :
         auth->FindPropertyValues("x509_common_name")) {
      if (value.size() > 0) return std::string(value.data(), value.size());
    }
  }
  if (requested.empty()) {
    return absl::InvalidArgumentError(
        "reviewer: required (no client certificate names the caller)");
  }
  return std::string(requested);
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
             [this, request, response]() -> absl::Status {
               store_.Flush();
               CM_ASSIGN_OR_RETURN(*response, store_.ListMatches(*request));
               return absl::OkStatus();
             });
}

grpc::ServerUnaryReactor* ReviewService::GetMatch(
    grpc::CallbackServerContext* context, const v1::GetMatchRequest* request,
    v1::MatchRecord* response) {
  return Run(context, "GetMatch", "reviewer", absl::OkStatus(),
             [this, request, response]() -> absl::Status {
               CM_ASSIGN_OR_RETURN(*response,
                                   store_.GetMatch(request->match_id()));
               return absl::OkStatus();
             });
}

grpc::ServerUnaryReactor* ReviewService::Decide(
    grpc::CallbackServerContext* context, const v1::DecideRequest* request,
    v1::MatchRecord* response) {
  absl::StatusOr<std::string> reviewer =
      ReviewerOf(*context, request->reviewer());
  // Copied before `reviewer` is moved into the store call.
  const absl::Status validation = reviewer.status();
  return Run(context, "Decide", "reviewer", validation,
             [this, request, response,
              reviewer = std::move(reviewer)]() mutable -> absl::Status {
               v1::DecideRequest decide = *request;
               *decide.mutable_reviewer() = *std::move(reviewer);
               CM_ASSIGN_OR_RETURN(*response, store_.Decide(decide));
               return absl::OkStatus();
             });
}

grpc::ServerUnaryReactor* ReviewService::ExportConfirmed(
    grpc::CallbackServerContext* context,
    const v1::ExportConfirmedRequest* request,
    v1::ExportConfirmedResponse* response) {
  return Run(context, "ExportConfirmed", "reviewer", absl::OkStatus(),
             [this, request, response]() -> absl::Status {
               CM_ASSIGN_OR_RETURN(*response, store_.ExportConfirmed(*request));
               return absl::OkStatus();
             });
}

grpc::ServerUnaryReactor* ReviewService::ListAllowlist(
    grpc::CallbackServerContext* context,
    const v1::ListAllowlistRequest* request,
    v1::ListAllowlistResponse* response) {
  return Run(context, "ListAllowlist", "admin", absl::OkStatus(),
             [this, request, response]() -> absl::Status {
               CM_ASSIGN_OR_RETURN(*response, store_.ListAllowlist(*request));
               return absl::OkStatus();
             });
}

grpc::ServerUnaryReactor* ReviewService::RemoveAllowlistEntry(
    grpc::CallbackServerContext* context,
    const v1::RemoveAllowlistEntryRequest* request,
    v1::RemoveAllowlistEntryResponse*) {
  absl::StatusOr<std::string> reviewer =
      ReviewerOf(*context, request->reviewer());
  // Copied before `reviewer` is moved into the store call.
  const absl::Status validation = reviewer.status();
  return Run(context, "RemoveAllowlistEntry", "admin", validation,
             [this, request,
              reviewer = std::move(reviewer)]() mutable -> absl::Status {
               v1::RemoveAllowlistEntryRequest remove = *request;
               *remove.mutable_reviewer() = *std::move(reviewer);
               return store_.RemoveAllowlistEntry(remove);
             });
}

}  // namespace clearmatch
