// ReviewService: the Review gRPC service (callback API) over the
// ReviewStore: reviewers list, inspect, decide and export matches (role
// "reviewer"); admins list and remove allowlist entries (role "admin").
// The reviewer is the caller's client certificate common name when it has
// one (mTLS), else the request's `reviewer` field. ListMatches first waits
// for the verdicts already queued, so a verdict answered before the call is
// listed. Store calls are short SQLite transactions run on the gRPC thread.
//
// Thread-safe; borrows everything, which must outlive the gRPC server.
#ifndef CLEARMATCH_DAEMON_REVIEW_SERVICE_H_
#define CLEARMATCH_DAEMON_REVIEW_SERVICE_H_

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.grpc.pb.h"
#include "daemon/daemon_metrics.h"
#include "daemon/request_authorizer.h"
#include "review/review_store.h"

namespace clearmatch {

class ReviewService final : public v1::Review::CallbackService {
 public:
  ReviewService(ReviewStore& store, DaemonMetrics& metrics,
                const RequestAuthorizer& authorizer)
      : store_(store), metrics_(metrics), authorizer_(authorizer) {}

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

  // The caller's certificate common name, else `requested`;
  // INVALID_ARGUMENT when neither names anyone.
  static absl::StatusOr<std::string> ReviewerOf(
      const grpc::CallbackServerContext& context, absl::string_view requested);

 private:
  // Authorizes `role`, runs `work`, counts, times and finishes the call.
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* context,
                                absl::string_view rpc, absl::string_view role,
                                absl::FunctionRef<absl::Status()> work);

  ReviewStore& store_;
  DaemonMetrics& metrics_;
  const RequestAuthorizer& authorizer_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_REVIEW_SERVICE_H_
