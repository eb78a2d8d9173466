// ReviewService: the Review gRPC service (callback API) over the
// ReviewStore: reviewers list, inspect, decide and export matches, list the
// feedback outbox and the audit trail and read the statistics (role
// "reviewer"); admins list and remove allowlist entries (role "admin").
// Every call needs an authenticated caller with the role (RequestAuthorizer:
// the unix socket's uid or an mTLS certificate). The reviewer recorded on
// a decision or an allowlist removal is that caller's name (Principal); a
// request whose `reviewer` field names someone else is refused
// (INVALID_ARGUMENT), an empty one is filled in. ListMatches first waits
// for the verdicts already queued, so a verdict answered before the call is
// listed. Authorization and request checks run in the reaction; the store
// calls (SQLite: ListMatches waits for queued records, Decide fsyncs) run on
// a dedicated WorkerPool, so that they never hold a gRPC callback thread.
// A full pool answers RESOURCE_EXHAUSTED; a call cancelled (or past its
// deadline) while it waits is answered CANCELLED without touching the store.
// All of that is ReviewCalls (daemon/review_calls.h), which the web API
// shares (calls()); this class only authenticates the gRPC caller and
// finishes the reactor.
//
// Thread-safe; borrows everything, which must outlive the gRPC server (the
// server's shutdown waits for the calls queued on the pool).
#ifndef CLEARMATCH_DAEMON_REVIEW_SERVICE_H_
#define CLEARMATCH_DAEMON_REVIEW_SERVICE_H_

#include <functional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.grpc.pb.h"
#include "daemon/daemon_metrics.h"
#include "daemon/principal.h"
#include "daemon/request_authorizer.h"
#include "daemon/review_calls.h"
#include "daemon/worker_pool.h"
#include "review/review_store.h"

namespace clearmatch {

class ReviewService final : public v1::Review::CallbackService {
 public:
  // `pool` runs the store calls (one worker is enough: SQLite serialises
  // writes); it should serve nothing else, so that review load never delays
  // Check traffic.
  ReviewService(ReviewStore& store, WorkerPool& pool, DaemonMetrics& metrics,
                const RequestAuthorizer& authorizer)
      : authorizer_(authorizer), calls_(store, pool, metrics, authorizer) {}

  // Called on the review pool after every decision that was stored (e.g.
  // to wake the feedback dispatcher), from gRPC and the web API alike. Set
  // before the server starts.
  void set_on_decided(std::function<void()> on_decided) {
    calls_.set_on_decided(std::move(on_decided));
  }
  // The calls, for the web API.
  ReviewCalls& calls() { return calls_; }

  grpc::ServerUnaryReactor* ListMatches(
      grpc::CallbackServerContext* context,
      const v1::ListMatchesRequest* request,
      v1::ListMatchesResponse* response) override;
  grpc::ServerUnaryReactor* GetMatch(grpc::CallbackServerContext* context,
                                     const v1::GetMatchRequest* request,
                                     v1::MatchRecord* response) override;
  grpc::ServerUnaryReactor* Decide(grpc::CallbackServerContext* context,
                                   const v1::DecideRequest* request,
                                   v1::MatchRecord* response) override;
  grpc::ServerUnaryReactor* ExportConfirmed(
      grpc::CallbackServerContext* context,
      const v1::ExportConfirmedRequest* request,
      v1::ExportConfirmedResponse* response) override;
  grpc::ServerUnaryReactor* ListAllowlist(
      grpc::CallbackServerContext* context,
      const v1::ListAllowlistRequest* request,
      v1::ListAllowlistResponse* response) override;
  grpc::ServerUnaryReactor* RemoveAllowlistEntry(
      grpc::CallbackServerContext* context,
      const v1::RemoveAllowlistEntryRequest* request,
      v1::RemoveAllowlistEntryResponse* response) override;
  grpc::ServerUnaryReactor* ListFeedback(
      grpc::CallbackServerContext* context,
      const v1::ListFeedbackRequest* request,
      v1::ListFeedbackResponse* response) override;
  grpc::ServerUnaryReactor* ListAudit(grpc::CallbackServerContext* context,
                                      const v1::ListAuditRequest* request,
                                      v1::ListAuditResponse* response) override;
  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* context,
                                     const v1::GetStatsRequest* request,
                                     v1::ReviewStats* response) override;

  // ReviewCalls::ReviewerOf.
  static absl::StatusOr<std::string> ReviewerOf(const Principal& caller,
                                                absl::string_view requested) {
    return ReviewCalls::ReviewerOf(caller, requested);
  }

 private:
  // Starts `method` of calls_ for the gRPC caller of `context`; its
  // reactor finishes with the call's status.
  template <typename Request, typename Response, typename Method>
  grpc::ServerUnaryReactor* Start(grpc::CallbackServerContext* context,
                                  Method method, const Request* request,
                                  Response* response);

  const RequestAuthorizer& authorizer_;
  ReviewCalls calls_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_REVIEW_SERVICE_H_
