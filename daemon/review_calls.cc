// The Review operations: authorization, request checks, the review pool.
#include "daemon/review_calls.h"

#include <memory>
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
// (ReviewCalls::ReviewerOf).
template <typename Request>
absl::StatusOr<Request> WithReviewer(const ReviewCalls::Caller& caller,
                                     const Request& request) {
  if (!caller.ok()) return caller.status();
  CM_ASSIGN_OR_RETURN(std::string reviewer,
                      ReviewCalls::ReviewerOf(*caller, request.reviewer()));
  Request copy = request;
  *copy.mutable_reviewer() = std::move(reviewer);
  return copy;
}

}  // namespace

absl::StatusOr<std::string> ReviewCalls::ReviewerOf(
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

void ReviewCalls::Run(absl::string_view rpc, absl::string_view role,
                      const Caller& caller, const absl::Status& validation,
                      StoreCall store_call, Cancelled cancelled, Done done) {
  const absl::Time start = absl::Now();
  // Shared by the task and the refusal below: the pool drops a task it
  // refuses unrun, and exactly one of them finishes the call.
  auto finish = std::make_shared<absl::AnyInvocable<void(const absl::Status&)>>(
      [this, rpc, start,
       done = std::move(done)](const absl::Status& status) mutable {
        metrics_.CountRequest(rpc, status.code());
        metrics_.ObserveRpcSeconds(rpc,
                                   absl::ToDoubleSeconds(absl::Now() - start));
        std::move(done)(status);
      });
  absl::Status status =
      caller.ok() ? authorizer_.CheckRole(*caller, role) : caller.status();
  if (status.ok()) status = validation;
  if (!status.ok()) {
    (*finish)(status);
    return;
  }
  auto task = [store_call = std::move(store_call),
               cancelled = std::move(cancelled), finish]() mutable {
    if (cancelled && cancelled()) {
      (*finish)(absl::CancelledError(
          "the call was cancelled (or its deadline passed) while it waited in "
          "the review queue"));
      return;
    }
    (*finish)(std::move(store_call)());
  };
  if (!pool_.TrySubmit(std::move(task))) {
    metrics_.CountRejected(
        RejectionReason(absl::StatusCode::kResourceExhausted));
    (*finish)(absl::ResourceExhaustedError(
        absl::StrCat("review queue full: ", pool_.Load(),
                     " review calls are running or waiting; retry later")));
  }
}

void ReviewCalls::ListMatches(const Caller& caller,
                              const v1::ListMatchesRequest& request,
                              v1::ListMatchesResponse* response,
                              Cancelled cancelled, Done done) {
  Run("ListMatches", "reviewer", caller, absl::OkStatus(),
      Respond(response,
              [this, &request] {
                store_.Flush();
                return store_.ListMatches(request);
              }),
      std::move(cancelled), std::move(done));
}

void ReviewCalls::GetMatch(const Caller& caller,
                           const v1::GetMatchRequest& request,
                           v1::MatchRecord* response, Cancelled cancelled,
                           Done done) {
  Run("GetMatch", "reviewer", caller, absl::OkStatus(),
      Respond(response,
              [this, &request] { return store_.GetMatch(request.match_id()); }),
      std::move(cancelled), std::move(done));
}

void ReviewCalls::Decide(const Caller& caller, const v1::DecideRequest& request,
                         v1::MatchRecord* response, Cancelled cancelled,
                         Done done) {
  absl::StatusOr<v1::DecideRequest> decide = WithReviewer(caller, request);
  const absl::Status validation = decide.status();  // before the move
  Run("Decide", "reviewer", caller, validation,
      Respond(response,
              [this, decide = std::move(decide)] {
                absl::StatusOr<v1::MatchRecord> record = store_.Decide(*decide);
                if (record.ok() && on_decided_) on_decided_();
                return record;
              }),
      std::move(cancelled), std::move(done));
}

void ReviewCalls::ExportConfirmed(const Caller& caller,
                                  const v1::ExportConfirmedRequest& request,
                                  v1::ExportConfirmedResponse* response,
                                  Cancelled cancelled, Done done) {
  Run("ExportConfirmed", "reviewer", caller, absl::OkStatus(),
      Respond(response,
              [this, &request] { return store_.ExportConfirmed(request); }),
      std::move(cancelled), std::move(done));
}

void ReviewCalls::ListAllowlist(const Caller& caller,
                                const v1::ListAllowlistRequest& request,
                                v1::ListAllowlistResponse* response,
                                Cancelled cancelled, Done done) {
  Run("ListAllowlist", "admin", caller, absl::OkStatus(),
      Respond(response,
              [this, &request] { return store_.ListAllowlist(request); }),
      std::move(cancelled), std::move(done));
}

void ReviewCalls::RemoveAllowlistEntry(
    const Caller& caller, const v1::RemoveAllowlistEntryRequest& request,
    v1::RemoveAllowlistEntryResponse*, Cancelled cancelled, Done done) {
  absl::StatusOr<v1::RemoveAllowlistEntryRequest> remove =
      WithReviewer(caller, request);
  const absl::Status validation = remove.status();  // before the move
  Run(
      "RemoveAllowlistEntry", "admin", caller, validation,
      [this, remove = std::move(remove)]() mutable {
        return store_.RemoveAllowlistEntry(*remove);
      },
      std::move(cancelled), std::move(done));
}

void ReviewCalls::ListFeedback(const Caller& caller,
                               const v1::ListFeedbackRequest& request,
                               v1::ListFeedbackResponse* response,
                               Cancelled cancelled, Done done) {
  Run("ListFeedback", "reviewer", caller, absl::OkStatus(),
      Respond(response,
              [this, &request] { return store_.ListFeedback(request); }),
      std::move(cancelled), std::move(done));
}

void ReviewCalls::ListAudit(const Caller& caller,
                            const v1::ListAuditRequest& request,
                            v1::ListAuditResponse* response,
                            Cancelled cancelled, Done done) {
  Run("ListAudit", "reviewer", caller, absl::OkStatus(),
      Respond(response, [this, &request] { return store_.ListAudit(request); }),
      std::move(cancelled), std::move(done));
}

void ReviewCalls::GetStats(const Caller& caller,
                           const v1::GetStatsRequest& request,
                           v1::ReviewStats* response, Cancelled cancelled,
                           Done done) {
  Run("GetStats", "reviewer", caller, absl::OkStatus(),
      Respond(response,
              [this, &request] {
                store_.Flush();
                return store_.GetStats(request);
              }),
      std::move(cancelled), std::move(done));
}

}  // namespace clearmatch
