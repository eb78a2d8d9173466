// The Review operations: authorization, request checks, the review pool.
#include "daemon/review_calls.h"

#include <functional>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "daemon/grpc_status_util.h"

namespace clearmatch {
namespace {

constexpr char kReviewer[] = "reviewer";
constexpr char kAdmin[] = "admin";

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

// The store's read of one match, by the id of the request.
absl::StatusOr<v1::MatchRecord> GetMatchOf(ReviewStore& store,
                                           const v1::GetMatchRequest& request) {
  return store.GetMatch(request.match_id());
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

void ReviewCalls::Run(const Rpc& rpc, const Caller& caller,
                      const absl::Status& validation, StoreCall store_call,
                      Cancelled cancelled, Done done) {
  const absl::Time start = absl::Now();
  // Shared by the task and the refusal below: the pool drops a task it
  // refuses unrun, and exactly one of them finishes the call.
  auto finish = std::make_shared<absl::AnyInvocable<void(const absl::Status&)>>(
      [this, name = rpc.name, start,
       done = std::move(done)](const absl::Status& status) mutable {
        metrics_.CountRequest(name, status.code());
        metrics_.ObserveRpcSeconds(name,
                                   absl::ToDoubleSeconds(absl::Now() - start));
        std::move(done)(status);
      });
  absl::Status status =
      caller.ok() ? authorizer_.CheckRole(*caller, rpc.role) : caller.status();
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

template <typename Request, typename Response, typename StoreRead>
void ReviewCalls::Read(const Rpc& rpc, StoreRead read, const Caller& caller,
                       const Request& request, Response* response,
                       Cancelled cancelled, Done done) {
  Run(
      rpc, caller, absl::OkStatus(),
      [this, wait = rpc.wait, read = std::move(read), &request,
       response]() mutable -> absl::Status {
        if (wait == Wait::kForQueuedVerdicts) store_.Flush();
        CM_ASSIGN_OR_RETURN(*response, std::invoke(read, store_, request));
        return absl::OkStatus();
      },
      std::move(cancelled), std::move(done));
}

template <typename Request, typename Response>
void ReviewCalls::Change(const Rpc& rpc,
                         absl::Status (ReviewCalls::*change)(const Request&,
                                                             Response*),
                         const Caller& caller, const Request& request,
                         Response* response, Cancelled cancelled, Done done) {
  absl::StatusOr<Request> own = WithReviewer(caller, request);
  const absl::Status validation = own.status();  // before the move
  Run(
      rpc, caller, validation,
      [this, change, own = std::move(own), response]() mutable {
        return (this->*change)(*own, response);
      },
      std::move(cancelled), std::move(done));
}

absl::Status ReviewCalls::DecideAndNotify(const v1::DecideRequest& request,
                                          v1::MatchRecord* record) {
  CM_ASSIGN_OR_RETURN(*record, store_.Decide(request));
  if (on_decided_) on_decided_();
  return absl::OkStatus();
}

absl::Status ReviewCalls::RemoveAllowlisted(
    const v1::RemoveAllowlistEntryRequest& request,
    v1::RemoveAllowlistEntryResponse*) {
  return store_.RemoveAllowlistEntry(request);
}

void ReviewCalls::ListMatches(const Caller& caller,
                              const v1::ListMatchesRequest& request,
                              v1::ListMatchesResponse* response,
                              Cancelled cancelled, Done done) {
  Read({"ListMatches", kReviewer, Wait::kForQueuedVerdicts},
       &ReviewStore::ListMatches, caller, request, response,
       std::move(cancelled), std::move(done));
}

void ReviewCalls::GetMatch(const Caller& caller,
                           const v1::GetMatchRequest& request,
                           v1::MatchRecord* response, Cancelled cancelled,
                           Done done) {
  Read({"GetMatch", kReviewer}, GetMatchOf, caller, request, response,
       std::move(cancelled), std::move(done));
}

void ReviewCalls::Decide(const Caller& caller, const v1::DecideRequest& request,
                         v1::MatchRecord* response, Cancelled cancelled,
                         Done done) {
  Change({"Decide", kReviewer}, &ReviewCalls::DecideAndNotify, caller, request,
         response, std::move(cancelled), std::move(done));
}

void ReviewCalls::ExportConfirmed(const Caller& caller,
                                  const v1::ExportConfirmedRequest& request,
                                  v1::ExportConfirmedResponse* response,
                                  Cancelled cancelled, Done done) {
  Read({"ExportConfirmed", kReviewer}, &ReviewStore::ExportConfirmed, caller,
       request, response, std::move(cancelled), std::move(done));
}

void ReviewCalls::ListAllowlist(const Caller& caller,
                                const v1::ListAllowlistRequest& request,
                                v1::ListAllowlistResponse* response,
                                Cancelled cancelled, Done done) {
  Read({"ListAllowlist", kAdmin}, &ReviewStore::ListAllowlist, caller, request,
       response, std::move(cancelled), std::move(done));
}

void ReviewCalls::RemoveAllowlistEntry(
    const Caller& caller, const v1::RemoveAllowlistEntryRequest& request,
    v1::RemoveAllowlistEntryResponse* response, Cancelled cancelled,
    Done done) {
  Change({"RemoveAllowlistEntry", kAdmin}, &ReviewCalls::RemoveAllowlisted,
         caller, request, response, std::move(cancelled), std::move(done));
}

void ReviewCalls::ListFeedback(const Caller& caller,
                               const v1::ListFeedbackRequest& request,
                               v1::ListFeedbackResponse* response,
                               Cancelled cancelled, Done done) {
  Read({"ListFeedback", kReviewer}, &ReviewStore::ListFeedback, caller, request,
       response, std::move(cancelled), std::move(done));
}

void ReviewCalls::ListAudit(const Caller& caller,
                            const v1::ListAuditRequest& request,
                            v1::ListAuditResponse* response,
                            Cancelled cancelled, Done done) {
  Read({"ListAudit", kReviewer}, &ReviewStore::ListAudit, caller, request,
       response, std::move(cancelled), std::move(done));
}

void ReviewCalls::GetStats(const Caller& caller,
                           const v1::GetStatsRequest& request,
                           v1::ReviewStats* response, Cancelled cancelled,
                           Done done) {
  Read({"GetStats", kReviewer, Wait::kForQueuedVerdicts},
       &ReviewStore::GetStats, caller, request, response, std::move(cancelled),
       std::move(done));
}

}  // namespace clearmatch
