// ReviewService: the Review gRPC service (callback API) over the
// ReviewStore: reviewers list, inspect, decide and export matches and list
// the feedback outbox (role "reviewer"); admins list and remove allowlist
// entries (role "admin").
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
//
// Thread-safe; borrows everything, which must outlive the gRPC server (the
// server's shutdown waits for the calls queued on the pool).
#ifndef CLEARMATCH_DAEMON_REVIEW_SERVICE_H_
#define CLEARMATCH_DAEMON_REVIEW_SERVICE_H_

#include <functional>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.grpc.pb.h"
#include "daemon/daemon_metrics.h"
#include "daemon/principal.h"
#include "daemon/request_authorizer.h"
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
      : store_(store),
        pool_(pool),
        metrics_(metrics),
        authorizer_(authorizer) {}

  // Called on the review pool after every decision that was stored (e.g.
  // to wake the feedback dispatcher). Set before the server starts.
  void set_on_decided(std::function<void()> on_decided) {
    on_decided_ = std::move(on_decided);
  }

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

  // The reviewer to record: `caller`'s name. INVALID_ARGUMENT when
  // `requested` is set and is not that name; UNAUTHENTICATED for an
  // anonymous caller.
  static absl::StatusOr<std::string> ReviewerOf(const Principal& caller,
                                                absl::string_view requested);

 private:
  using StoreCall = absl::AnyInvocable<absl::Status() &&>;

  // Authorizes `role` and checks `validation` inline, then runs `store_call`
  // on the pool; counts, times and finishes the call. `rpc` must be a
  // literal (it is kept until the call finishes).
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* context,
                                absl::string_view rpc, absl::string_view role,
                                const absl::Status& validation,
                                StoreCall store_call);

  ReviewStore& store_;
  WorkerPool& pool_;
  DaemonMetrics& metrics_;
  const RequestAuthorizer& authorizer_;
  std::function<void()> on_decided_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_REVIEW_SERVICE_H_
