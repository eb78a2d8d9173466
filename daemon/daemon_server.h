// DaemonServer: clearmatchd assembled from a validated DaemonConfig: the
// verdict policy, the index holder and its IndexManager (a signed-feed
// source per feed, a bank-CSV source per CSV, the NCMEC and StopNCII
// sources: daemon/index_sources.h), the feedback dispatcher, the worker pool,
// the Matcher, Admin and Review services (Review with its own one-thread
// pool), gRPC health (NOT_SERVING until the first index is loaded) and
// reflection, and the metrics/health HTTP endpoint.
//
//   ApplyDaemonConfigDefaults(&config);
//   CM_RETURN_IF_ERROR(ValidateDaemonConfig(config));
//   CM_ASSIGN_OR_RETURN(auto server, DaemonServer::Start(config));
//   ... server->Shutdown() from a signal thread ...
//   server->Wait();
//
// Thread-safe: Shutdown may be called from any thread, once or more.
#ifndef CLEARMATCH_DAEMON_DAEMON_SERVER_H_
#define CLEARMATCH_DAEMON_DAEMON_SERVER_H_

#include <grpcpp/server.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "clearinghouse/clearinghouse_store.h"
#include "clearinghouse/feedback_dispatcher.h"
#include "clearmatch/v1/config.pb.h"
#include "daemon/admin_service.h"
#include "daemon/daemon_metrics.h"
#include "daemon/match_pipeline.h"
#include "daemon/matcher_service.h"
#include "daemon/metrics_http_server.h"
#include "daemon/request_authorizer.h"
#include "daemon/review_recorder.h"
#include "daemon/review_service.h"
#include "daemon/source_metrics.h"
#include "daemon/unix_socket_listener.h"
#include "daemon/web_review_api.h"
#include "daemon/worker_pool.h"
#include "fingerprint/fingerprint_backend.h"
#include "index/index_holder.h"
#include "matching/verdict_policy.h"
#include "sandbox/sandboxed_fingerprint_backend.h"
#include "serving/index_manager.h"
#include "web/web_server.h"

namespace clearmatch {

class DaemonServer {
 public:
  // Loads the first index (or leaves the daemon NOT_SERVING until the first
  // sync), binds both ports and starts the background sync. UNAVAILABLE if
  // a port cannot be bound; the errors of the index sources, IndexManager
  // and the TLS files.
  static absl::StatusOr<std::unique_ptr<DaemonServer>> Start(
      const v1::DaemonConfig& config);
  ~DaemonServer();

  // The bound ports (useful with port 0); metrics_port() is 0 when off.
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  // The web listener's port; 0 when web_listen is off.
  int web_port() const { return web_ ? web_->port() : 0; }
  // The unix socket's path; "" when it is off.
  std::string unix_socket() const;

  // Stops accepting calls, lets running ones finish (5 s at most).
  void Shutdown();
  // Blocks until Shutdown.
  void Wait();

 private:
  DaemonServer(const v1::DaemonConfig& config, VerdictPolicy policy);
  void MarkServing();
  // The steps of Start, in order. The worker pool, the fingerprint backend
  // and the match pipeline.
  absl::Status StartPipeline();
  // The sandboxed decoder processes (sandbox.enabled, the default; their
  // errors when they cannot start), or in-process decoding.
  absl::Status StartFingerprintBackend();
  // The index sources and their IndexManager (not started).
  absl::Status StartIndexManager();
  // The Matcher and Admin services.
  void StartServices();
  // Binds the gRPC port: UNAVAILABLE if it cannot; TLS file errors.
  absl::Status StartGrpcServer();
  // The unix socket (not yet accepting), unless unix_socket is "off".
  absl::Status BindUnixSocket();
  // The metrics/health HTTP endpoint, unless metrics_listen is "off".
  absl::Status StartMetricsHttp();
  // The review store (data_dir/review.sqlite), its pipeline hooks, the
  // review pool and the Review service.
  absl::Status StartReview();
  // The reviewers' web page (web/), unless web_listen is "off".
  absl::Status StartWeb();
  // The feedback dispatcher, when a clearinghouse source has feedback on.
  absl::Status StartFeedback();
  // The dispatcher's counters as Admin rows; none without a dispatcher.
  std::vector<v1::FeedbackStatus> FeedbackRows() const;
  void UpdateFeedbackMetrics();
  // The decoder pool's metrics; "" without the sandbox.
  std::string DecoderMetrics() const;

  const v1::DaemonConfig config_;
  DaemonMetrics metrics_registry_;
  SourceMetrics source_metrics_;
  // Set at shutdown: clearinghouse HTTP transfers give up.
  std::atomic<bool> stopping_{false};
  IndexHolder holder_;
  VerdictPolicy policy_;
  RequestAuthorizer authorizer_;
  std::unique_ptr<WorkerPool> pool_;
  // Decodes the media of Checks; the pipeline borrows it.
  std::unique_ptr<FingerprintBackend> backend_;
  // backend_ when it is sandboxed (Shutdown kills its decodes), else null.
  sandbox::SandboxedFingerprintBackend* sandboxed_ = nullptr;
  std::unique_ptr<MatchPipeline> pipeline_;
  // Borrowed by the clearinghouse sources: destroyed after the manager.
  std::unique_ptr<ClearinghouseStore> clearinghouse_store_;
  std::unique_ptr<IndexManager> index_manager_;
  std::unique_ptr<MatcherService> matcher_;
  std::unique_ptr<AdminService> admin_;
  // Destroyed after the server (no call in flight): the store then writes
  // every queued verdict record.
  std::unique_ptr<ReviewStore> review_store_;
  std::unique_ptr<ReviewRecorder> review_recorder_;
  // Runs the Review service's store calls, off the gRPC callback threads
  // and apart from pool_. Stopped after the server (whose shutdown waits for
  // the calls queued here) and before the store it calls into.
  std::unique_ptr<WorkerPool> review_pool_;
  std::unique_ptr<ReviewService> review_;
  // The web page over review_'s calls; stopped before the review pool.
  std::unique_ptr<WebReviewApi> web_api_;
  std::unique_ptr<WebServer> web_;
  // Sends reviewers' verdicts to the clearinghouses; reads review_store_.
  std::unique_ptr<FeedbackDispatcher> feedback_;
  std::unique_ptr<grpc::Server> server_;
  // Hands its connections to server_; stopped before it (Shutdown).
  std::unique_ptr<UnixSocketListener> unix_listener_;
  std::unique_ptr<MetricsHttpServer> metrics_;
  int grpc_port_ = 0;

  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_DAEMON_SERVER_H_
