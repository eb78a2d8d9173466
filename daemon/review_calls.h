// ReviewCalls: the Review operations whatever the transport: the gRPC
// Review service (daemon/review_service.h) and the web API
// (daemon/web_review_api.h) run every call through it, so that both have
// the same authorization, request checks, review pool and metrics.
// Each call checks that the caller has the role ("reviewer"; the
// allowlist: "admin") and the request (a `reviewer` field naming anyone
// but the caller is INVALID_ARGUMENT; an empty one is the caller), inline;
// then runs the store call on the review WorkerPool (ListMatches and
// GetStats first wait for the verdicts already queued) and calls `done`
// once. A full pool answers RESOURCE_EXHAUSTED; a call whose `cancelled`
// says true when its turn comes is answered CANCELLED without touching the
// store.
//
//   calls.ListMatches(caller, request, &response, [] { return false; },
//                     [](const absl::Status& status) { ... });
//
// Thread-safe; borrows everything. `request` and `response` must live
// until `done` has run.
#ifndef CLEARMATCH_DAEMON_REVIEW_CALLS_H_
#define CLEARMATCH_DAEMON_REVIEW_CALLS_H_

#include <functional>
#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.pb.h"
#include "daemon/daemon_metrics.h"
#include "daemon/principal.h"
#include "daemon/request_authorizer.h"
#include "daemon/worker_pool.h"
#include "review/review_store.h"

namespace clearmatch {

class ReviewCalls {
 public:
  using Done = absl::AnyInvocable<void(const absl::Status&) &&>;
  // Polled on the pool before the store call: whether the caller gave up.
  using Cancelled = std::function<bool()>;
  // The caller, or why it could not be authenticated.
  using Caller = absl::StatusOr<Principal>;

  ReviewCalls(ReviewStore& store, WorkerPool& pool, DaemonMetrics& metrics,
              const RequestAuthorizer& authorizer)
      : store_(store),
        pool_(pool),
        metrics_(metrics),
        authorizer_(authorizer) {}

  // Called on the review pool after every decision that was stored. Set
  // before the first call.
  void set_on_decided(std::function<void()> on_decided) {
    on_decided_ = std::move(on_decided);
  }
  const RequestAuthorizer& authorizer() const { return authorizer_; }

  void ListMatches(const Caller& caller, const v1::ListMatchesRequest& request,
                   v1::ListMatchesResponse* response, Cancelled cancelled,
                   Done done);
  void GetMatch(const Caller& caller, const v1::GetMatchRequest& request,
                v1::MatchRecord* response, Cancelled cancelled, Done done);
  void Decide(const Caller& caller, const v1::DecideRequest& request,
              v1::MatchRecord* response, Cancelled cancelled, Done done);
  void ExportConfirmed(const Caller& caller,
                       const v1::ExportConfirmedRequest& request,
                       v1::ExportConfirmedResponse* response,
                       Cancelled cancelled, Done done);
  void ListAllowlist(const Caller& caller,
                     const v1::ListAllowlistRequest& request,
                     v1::ListAllowlistResponse* response, Cancelled cancelled,
                     Done done);
  void RemoveAllowlistEntry(const Caller& caller,
                            const v1::RemoveAllowlistEntryRequest& request,
                            v1::RemoveAllowlistEntryResponse* response,
                            Cancelled cancelled, Done done);
  void ListFeedback(const Caller& caller,
                    const v1::ListFeedbackRequest& request,
                    v1::ListFeedbackResponse* response, Cancelled cancelled,
                    Done done);
  void ListAudit(const Caller& caller, const v1::ListAuditRequest& request,
                 v1::ListAuditResponse* response, Cancelled cancelled,
                 Done done);
  void GetStats(const Caller& caller, const v1::GetStatsRequest& request,
                v1::ReviewStats* response, Cancelled cancelled, Done done);

  // The reviewer to record: `caller`'s name. INVALID_ARGUMENT when
  // `requested` is set and is not that name; UNAUTHENTICATED for an
  // anonymous caller.
  static absl::StatusOr<std::string> ReviewerOf(const Principal& caller,
                                                absl::string_view requested);

 private:
  using StoreCall = absl::AnyInvocable<absl::Status() &&>;

  // Whether a read first waits for the verdicts queued before it (so that
  // it sees every match recorded before the call).
  enum class Wait { kNo, kForQueuedVerdicts };
  // What a Review RPC is apart from its messages. `name` must be a literal
  // (it is kept until the call finishes).
  struct Rpc {
    absl::string_view name;
    absl::string_view role;  // "reviewer" or "admin"
    Wait wait = Wait::kNo;
  };

  // Authorizes the role and checks `validation` inline, then runs
  // `store_call` on the pool; counts, times and finishes the call.
  void Run(const Rpc& rpc, const Caller& caller, const absl::Status& validation,
           StoreCall store_call, Cancelled cancelled, Done done);
  // A read: `*response` is what `read(store, request)` (a ReviewStore
  // method, or a function of the store) returns.
  template <typename Request, typename Response, typename StoreRead>
  void Read(const Rpc& rpc, StoreRead read, const Caller& caller,
            const Request& request, Response* response, Cancelled cancelled,
            Done done);
  // A change recorded as the caller's: `request` gets the caller as its
  // reviewer (WithReviewer: naming anyone else is refused inline), then
  // `change` runs with it on the pool.
  template <typename Request, typename Response>
  void Change(const Rpc& rpc,
              absl::Status (ReviewCalls::*change)(const Request&, Response*),
              const Caller& caller, const Request& request, Response* response,
              Cancelled cancelled, Done done);
  // The store calls of the changes.
  absl::Status DecideAndNotify(const v1::DecideRequest& request,
                               v1::MatchRecord* record);
  absl::Status RemoveAllowlisted(const v1::RemoveAllowlistEntryRequest& request,
                                 v1::RemoveAllowlistEntryResponse* response);

  ReviewStore& store_;
  WorkerPool& pool_;
  DaemonMetrics& metrics_;
  const RequestAuthorizer& authorizer_;
  std::function<void()> on_decided_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_REVIEW_CALLS_H_
