// Assembly of clearmatchd.
#include "daemon/daemon_server.h"

#include <fcntl.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "clearinghouse/clearinghouse_setup.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "config/daemon_config.h"
#include "crypto/pem.h"
#include "daemon/grpc_transport_options.h"
#include "daemon/index_sources.h"
#include "review/review_store_factory.h"

namespace clearmatch {
namespace {

// Review calls waiting for the review worker; more are refused
// (RESOURCE_EXHAUSTED). Reviewers are people: 64 is far above their rate.
constexpr int kReviewQueueSize = 64;

absl::StatusOr<std::string> ReadPem(absl::string_view key,
                                    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in || buffer.str().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": cannot read \"", path, "\""));
  }
  return buffer.str();
}

// gRPC refuses a bad certificate or key only when binding, with an error
// that names neither: check them first. INVALID_ARGUMENT naming the file.
absl::Status CheckKeyPair(const v1::TlsConfig& tls, const std::string& cert_pem,
                          const std::string& key_pem) {
  absl::StatusOr<X509Ptr> cert = ParsePemCertificate(cert_pem);
  if (!cert.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tls.cert_file: \"", tls.cert_file(), "\" holds no PEM certificate"));
  }
  absl::StatusOr<EvpPkeyPtr> key = ParsePemPrivateKey(key_pem);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tls.key_file: \"", tls.key_file(), "\" holds no PEM private key"));
  }
  if (!KeyMatchesCertificate(**cert, **key)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tls.key_file: \"", tls.key_file(),
        "\" is not the key of tls.cert_file \"", tls.cert_file(), "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const v1::TlsConfig& tls) {
  if (tls.cert_file().empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  CM_ASSIGN_OR_RETURN(pair.private_key,
                      ReadPem("tls.key_file", tls.key_file()));
  CM_ASSIGN_OR_RETURN(pair.cert_chain,
                      ReadPem("tls.cert_file", tls.cert_file()));
  CM_RETURN_IF_ERROR(CheckKeyPair(tls, pair.cert_chain, pair.private_key));
  options.pem_key_cert_pairs.push_back(pair);
  if (!tls.client_ca_file().empty()) {
    CM_ASSIGN_OR_RETURN(options.pem_root_certs,
                        ReadPem("tls.client_ca_file", tls.client_ca_file()));
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

// Test-only seam for tests/integration, never set in production: with
// CLEARMATCHD_TEST_ONLY_DECODE_GATE=PATH (a FIFO), every media decode first
// opens PATH and reads one byte (or EOF), so a test holds a decode worker
// busy until it writes, and knows the worker is there once its own open
// for writing succeeds.
constexpr char kDecodeGateVariable[] = "CLEARMATCHD_TEST_ONLY_DECODE_GATE";

void PassDecodeGate(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char byte;
  [[maybe_unused]] const ssize_t n = read(fd, &byte, 1);
  close(fd);
}

}  // namespace

DaemonServer::DaemonServer(const v1::DaemonConfig& config, VerdictPolicy policy)
    : config_(config),
      policy_(std::move(policy)),
      authorizer_(config, [this](absl::string_view peer) {
        // Set before the server starts; never reset while it runs.
        return unix_listener_ != nullptr ? unix_listener_->UidOf(peer)
                                         : std::nullopt;
      }) {}

absl::StatusOr<std::unique_ptr<DaemonServer>> DaemonServer::Start(
    const v1::DaemonConfig& config) {
  CM_ASSIGN_OR_RETURN(VerdictPolicy policy, VerdictPolicy::Create(config));
  auto daemon = std::unique_ptr<DaemonServer>(
      new DaemonServer(config, std::move(policy)));
  DaemonServer& d = *daemon;
  CM_RETURN_IF_ERROR(d.StartPipeline());
  CM_RETURN_IF_ERROR(d.StartIndexManager());
  d.StartServices();
  CM_RETURN_IF_ERROR(d.StartReview());
  CM_RETURN_IF_ERROR(d.StartGrpcServer());
  CM_RETURN_IF_ERROR(d.StartMetricsHttp());
  CM_RETURN_IF_ERROR(d.StartWeb());
  CM_RETURN_IF_ERROR(d.index_manager_->LoadInitial());
  d.index_manager_->Start();
  const std::string unix_socket = d.unix_socket();
  LogInfo(absl::StrCat(
      "serving gRPC on ", config.listen(), " (port ", d.grpc_port_, ") and ",
      unix_socket.empty() ? "on no unix socket"
                          : "on the unix socket " + unix_socket,
      ", metrics on port ", d.metrics_port(), ", data in ", config.data_dir()));
  return daemon;
}

absl::Status DaemonServer::StartPipeline() {
  const v1::Limits& limits = config_.limits();
  pool_ = std::make_unique<WorkerPool>(limits.workers(), limits.queue_size());
  MatchPipeline::Options pipeline_options;
  pipeline_options.image_limits.max_pixels =
      static_cast<int64_t>(limits.max_image_pixels());
  pipeline_options.image_limits.max_bytes =
      static_cast<int64_t>(limits.max_upload_bytes());
  pipeline_options.image_limits.max_jpeg_scans =
      static_cast<int>(limits.max_jpeg_scans());
  pipeline_options.image_limits.max_decoded_bytes =
      static_cast<int64_t>(limits.max_decoded_bytes());
  pipeline_options.video_limits.max_bytes =
      static_cast<int64_t>(limits.max_upload_bytes());
  CM_RETURN_IF_ERROR(StartFingerprintBackend());
  pipeline_options.backend = backend_.get();
  if (const char* gate = std::getenv(kDecodeGateVariable);
      gate != nullptr && gate[0] != '\0') {
    LogInfo(absl::StrCat("test-only decode gate ", gate));
    pipeline_options.before_decode = [path = std::string(gate)] {
      PassDecodeGate(path);
    };
  }
  pipeline_ = std::make_unique<MatchPipeline>(pipeline_options, policy_,
                                              holder_, metrics_registry_);
  return absl::OkStatus();
}

absl::Status DaemonServer::StartFingerprintBackend() {
  const v1::Sandbox& config = config_.sandbox();
  if (!config.enabled()) {
    LogWarning(
        "sandbox.enabled is false: media is decoded inside the daemon's own "
        "process (a decoder crash or exploit takes the daemon with it)");
    backend_ = std::make_unique<InProcessFingerprintBackend>();
    return absl::OkStatus();
  }
  sandbox::SandboxedFingerprintBackend::Options options;
  options.pool.size = static_cast<int>(config_.limits().workers());
  options.pool.process.path = config.decoder_path().empty()
                                  ? sandbox::DefaultDecoderPath()
                                  : config.decoder_path();
  if (options.pool.process.path.empty()) {
    return absl::FailedPreconditionError(
        "sandbox: no clearmatch-decoder beside clearmatchd; set "
        "sandbox.decoder_path");
  }
  options.pool.process.memory_bytes = config.memory_bytes();
  options.image_cpu = absl::Milliseconds(config.image_cpu_ms());
  options.video_cpu = absl::Milliseconds(config.video_cpu_ms());
  CM_ASSIGN_OR_RETURN(
      std::unique_ptr<sandbox::SandboxedFingerprintBackend> sandboxed,
      sandbox::SandboxedFingerprintBackend::Create(options));
  sandboxed_ = sandboxed.get();
  backend_ = std::move(sandboxed);
  LogInfo(absl::StrCat("decoding in ", options.pool.size,
                       " sandboxed decoder processes (",
                       options.pool.process.path, ")"));
  return absl::OkStatus();
}

absl::Status DaemonServer::StartIndexManager() {
  CM_ASSIGN_OR_RETURN(DaemonIndexSources made,
                      MakeDaemonIndexSources(config_, [this] {
                        return stopping_.load(std::memory_order_relaxed);
                      }));
  clearinghouse_store_ = std::move(made.clearinghouse_store);
  IndexManager::Options options;
  options.data_dir = config_.data_dir();
  options.sync_interval = absl::Seconds(config_.sync_interval_seconds());
  options.on_swap = [this](const IndexStatus& index) {
    metrics_registry_.SetIndex(index.version, index.size, index.delta_size,
                               index.loaded);
    MarkServing();
  };
  options.on_source_status = [this](const SourceStatus& source) {
    source_metrics_.Set(source);
    if (source.kind != SourceKind::kSignedFeed) return;
    metrics_registry_.SetFeed(source.name, source.state.version,
                              source.state.published, source.last_success,
                              source.last_result != SyncOutcome::kFailed);
  };
  CM_ASSIGN_OR_RETURN(index_manager_,
                      IndexManager::Create(std::move(options),
                                           std::move(made.sources), holder_));
  return absl::OkStatus();
}

void DaemonServer::StartServices() {
  const v1::Limits& limits = config_.limits();
  MatcherService::Options matcher_options;
  matcher_options.max_request_bytes = limits.max_message_bytes();
  matcher_options.max_upload_bytes = limits.max_upload_bytes();
  matcher_options.max_concurrent_uploads =
      static_cast<int>(2 * limits.workers());
  matcher_options.max_stream_inflight =
      static_cast<int>(limits.max_stream_inflight());
  matcher_options.default_deadline =
      absl::Milliseconds(limits.default_deadline_ms());
  matcher_options.max_stream_outgoing =
      static_cast<int>(limits.max_stream_outgoing());
  matcher_options.upload_timeout =
      absl::Milliseconds(limits.upload_timeout_ms());
  matcher_options.upload_min_bytes_per_second =
      limits.upload_min_bytes_per_second();
  matcher_ = std::make_unique<MatcherService>(
      matcher_options, *pipeline_, *pool_, metrics_registry_, authorizer_);
  admin_ = std::make_unique<AdminService>(*index_manager_, metrics_registry_,
                                          authorizer_);
}

absl::Status DaemonServer::StartGrpcServer() {
  CM_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                      Credentials(config_.tls()));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config_.listen(), credentials, &grpc_port_);
  // Room above the limit so that an oversized Check gets our
  // INVALID_ARGUMENT (naming the limit) rather than the transport's error.
  const uint64_t transport_limit =
      std::min<uint64_t>(2 * config_.limits().max_message_bytes(), INT32_MAX);
  builder.SetMaxReceiveMessageSize(static_cast<int>(transport_limit));
  builder.SetMaxSendMessageSize(static_cast<int>(transport_limit));
  ApplyGrpcTransportOptions(config_.transport(), builder);
  builder.RegisterService(matcher_.get());
  builder.RegisterService(admin_.get());
  builder.RegisterService(review_.get());
  CM_RETURN_IF_ERROR(BindUnixSocket());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || grpc_port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("listen: cannot listen on ", config_.listen()));
  }
  if (unix_listener_ != nullptr) unix_listener_->Start(*server_);
  server_->GetHealthCheckService()->SetServingStatus(false);
  return absl::OkStatus();
}

absl::Status DaemonServer::BindUnixSocket() {
  if (config_.unix_socket() == kUnixSocketOff) return absl::OkStatus();
  CM_ASSIGN_OR_RETURN(unix_listener_,
                      UnixSocketListener::Create(config_.unix_socket()));
  return absl::OkStatus();
}

std::string DaemonServer::unix_socket() const {
  return unix_listener_ != nullptr ? unix_listener_->path() : "";
}

absl::Status DaemonServer::StartMetricsHttp() {
  if (config_.metrics_listen() == "off") return absl::OkStatus();
  CM_ASSIGN_OR_RETURN(metrics_,
                      MetricsHttpServer::Start(
                          config_.metrics_listen(),
                          [this] {
                            metrics_registry_.SetWorkerLoad(pool_->Load());
                            const absl::Time now = absl::Now();
                            UpdateFeedbackMetrics();
                            return metrics_registry_.RenderPrometheus(now) +
                                   source_metrics_.Render(now) +
                                   review_recorder_->RenderPrometheus() +
                                   DecoderMetrics();
                          },
                          [this] { return holder_.Current() != nullptr; }));
  return absl::OkStatus();
}

absl::Status DaemonServer::StartReview() {
  ReviewStoreOptions options;
  options.data_dir = config_.data_dir();
  options.database_url = config_.review_database_url();
  options.log_warning = [](absl::string_view message) { LogWarning(message); };
  CM_ASSIGN_OR_RETURN(review_store_, OpenReviewStore(options));
  review_recorder_ = std::make_unique<ReviewRecorder>(*review_store_, policy_);
  pipeline_->set_review_recorder(review_recorder_.get());
  // One worker: SQLite serialises writes anyway.
  review_pool_ = std::make_unique<WorkerPool>(/*workers=*/1, kReviewQueueSize);
  review_ = std::make_unique<ReviewService>(*review_store_, *review_pool_,
                                            metrics_registry_, authorizer_);
  return StartFeedback();
}

absl::Status DaemonServer::StartWeb() {
  if (config_.web_listen() == kWebOff) return absl::OkStatus();
  web_api_ = std::make_unique<WebReviewApi>(review_->calls());
  WebServer::Options options;
  options.listen = config_.web_listen();
  options.cert_file = config_.tls().cert_file();
  options.key_file = config_.tls().key_file();
  options.client_ca_file = config_.tls().client_ca_file();
  options.local_reviewer = config_.web_local_reviewer();
  options.content_url_template = config_.content_url_template();
  CM_ASSIGN_OR_RETURN(web_, WebServer::Start(options, *web_api_));
  LogInfo(absl::StrCat(
      "serving the web page on ", config_.web_listen(), " (port ", web_->port(),
      ", ", web_->tls() ? "TLS" : "plaintext loopback",
      options.local_reviewer.empty()
          ? ""
          : absl::StrCat(", local reviewer ", options.local_reviewer),
      ")"));
  return absl::OkStatus();
}

absl::Status DaemonServer::StartFeedback() {
  CM_ASSIGN_OR_RETURN(std::vector<std::unique_ptr<FeedbackSink>> sinks,
                      MakeFeedbackSinks(config_, [this] {
                        return stopping_.load(std::memory_order_relaxed);
                      }));
  if (sinks.empty()) return absl::OkStatus();
  feedback_ = std::make_unique<FeedbackDispatcher>(
      *review_store_, std::move(sinks), FeedbackDispatcher::Options());
  review_->set_on_decided([this] { feedback_->Wake(); });
  admin_->set_feedback_status([this] { return FeedbackRows(); });
  feedback_->Start();
  return absl::OkStatus();
}

std::vector<v1::FeedbackStatus> DaemonServer::FeedbackRows() const {
  std::vector<v1::FeedbackStatus> rows;
  if (feedback_ == nullptr) return rows;
  for (const auto& [bank, counts] : feedback_->counters().banks) {
    v1::FeedbackStatus& row = rows.emplace_back();
    row.set_bank(bank);
    row.set_sent(counts.sent);
    row.set_retried(counts.retried);
    row.set_rejected(counts.rejected);
    row.set_pending(counts.pending);
  }
  return rows;
}

void DaemonServer::UpdateFeedbackMetrics() {
  for (const v1::FeedbackStatus& row : FeedbackRows()) {
    source_metrics_.SetFeedback(row.bank(), {.sent = row.sent(),
                                             .retried = row.retried(),
                                             .rejected = row.rejected(),
                                             .pending = row.pending()});
  }
}

std::string DaemonServer::DecoderMetrics() const {
  return sandboxed_ == nullptr ? "" : sandboxed_->pool().RenderPrometheus();
}

void DaemonServer::MarkServing() {
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->SetServingStatus(true);
  }
}

void DaemonServer::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  LogInfo("shutting down");
  // Clearinghouse transfers in progress give up (CANCELLED).
  stopping_.store(true, std::memory_order_relaxed);
  // Decodes in flight end now (UNAVAILABLE): the server does not wait for
  // them.
  if (sandboxed_ != nullptr) sandboxed_->Shutdown();
  // No new unix-socket connections (the accept thread uses the server).
  if (unix_listener_ != nullptr) unix_listener_->Stop();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

void DaemonServer::Wait() { server_->Wait(); }

DaemonServer::~DaemonServer() {
  if (server_ != nullptr) {
    Shutdown();
    server_->Wait();
  }
  // The metrics endpoint reads the pool, the recorder and the dispatcher:
  // it stops before them, and so does the web page (its calls wait on the
  // review pool). The index manager's thread calls back into the server: it
  // stops next. Then the pools (every call is finished, so they
  // hold nothing), the review pool before the store its tasks use.
  web_.reset();
  metrics_.reset();
  stopping_.store(true, std::memory_order_relaxed);
  index_manager_.reset();
  pool_.reset();
  review_pool_.reset();
  // Before the review store it reads.
  feedback_.reset();
}

}  // namespace clearmatch
