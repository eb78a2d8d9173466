// AdminService: the Admin gRPC service (callback API): GetStatus answers
// from the IndexManager's status at once; SyncFeeds asks the manager's
// background thread for a sync and answers when it is done (no gRPC thread
// waits for it). Needs the "admin" role when roles are configured.
// Thread-safe; borrows everything, which must outlive the gRPC server.
#ifndef CLEARMATCH_DAEMON_ADMIN_SERVICE_H_
#define CLEARMATCH_DAEMON_ADMIN_SERVICE_H_

#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clearmatch/v1/admin.grpc.pb.h"
#include "daemon/daemon_metrics.h"
#include "daemon/request_authorizer.h"
#include "serving/index_manager.h"

namespace clearmatch {

class AdminService final : public v1::Admin::CallbackService {
 public:
  AdminService(IndexManager& manager, DaemonMetrics& metrics,
               const RequestAuthorizer& authorizer)
      : manager_(manager),
        metrics_(metrics),
        authorizer_(authorizer),
        started_(absl::Now()) {}

  // Where GetStatus reads the clearinghouse feedback rows from (the
  // daemon's feedback dispatcher). Set before the server starts; none: no
  // rows.
  void set_feedback_status(
      std::function<std::vector<v1::FeedbackStatus>()> feedback_status) {
    feedback_status_ = std::move(feedback_status);
  }

  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const v1::GetStatusRequest* request,
                                      v1::GetStatusResponse* response) override;
  grpc::ServerUnaryReactor* SyncFeeds(grpc::CallbackServerContext* context,
                                      const v1::SyncFeedsRequest* request,
                                      v1::SyncFeedsResponse* response) override;

 private:
  // Counts and times the call, then finishes it with `status`.
  void Finish(absl::string_view rpc, absl::Time start,
              const absl::Status& status, grpc::ServerUnaryReactor* reactor);

  IndexManager& manager_;
  DaemonMetrics& metrics_;
  const RequestAuthorizer& authorizer_;
  const absl::Time started_;
  std::function<std::vector<v1::FeedbackStatus>()> feedback_status_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_ADMIN_SERVICE_H_
