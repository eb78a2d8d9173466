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
#include "common/log.h"
#include "common/status_macros.h"
#include "crypto/pem.h"

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
    : config_(config), policy_(std::move(policy)), authorizer_(config.tls()) {}

absl::StatusOr<std::unique_ptr<DaemonServer>> DaemonServer::Start(
    const v1::DaemonConfig& config) {
  CM_ASSIGN_OR_RETURN(VerdictPolicy policy, VerdictPolicy::Create(config));
  auto daemon = std::unique_ptr<DaemonServer>(
      new DaemonServer(config, std::move(policy)));
  DaemonServer& d = *daemon;
  const v1::Limits& limits = config.limits();

  d.pool_ = std::make_unique<WorkerPool>(limits.workers(), limits.queue_size());
  MatchPipeline::Options pipeline_options;
  pipeline_options.image_limits.max_pixels =
      static_cast<int64_t>(limits.max_image_pixels());
  pipeline_options.image_limits.max_bytes =
      static_cast<int64_t>(limits.max_upload_bytes());
  pipeline_options.video_limits.max_bytes =
      static_cast<int64_t>(limits.max_upload_bytes());
  if (const char* gate = std::getenv(kDecodeGateVariable);
      gate != nullptr && gate[0] != '\0') {
    LogInfo(absl::StrCat("test-only decode gate ", gate));
    pipeline_options.before_decode = [path = std::string(gate)] {
      PassDecodeGate(path);
    };
  }
  d.pipeline_ = std::make_unique<MatchPipeline>(pipeline_options, d.policy_,
                                                d.holder_, d.metrics_registry_);

  IndexUpdater::Options updater_options;
  updater_options.data_dir = config.data_dir();
  for (int i = 0; i < config.feeds_size(); ++i) {
    const v1::FeedConfig& feed = config.feeds(i);
    IndexUpdater::FeedOptions f;
    f.url = feed.url();
    f.feed_id = feed.feed_id();
    f.ca_file = feed.ca_file();
    f.public_key_pem = feed.public_key_pem();
    if (f.public_key_pem.empty()) {
      CM_ASSIGN_OR_RETURN(
          f.public_key_pem,
          ReadPem(absl::StrCat("feeds[", i, "].public_key_file"),
                  feed.public_key_file()));
    }
    updater_options.feeds.push_back(std::move(f));
  }
  for (const v1::BankCsvConfig& csv : config.bank_csvs()) {
    IndexUpdater::CsvOptions c;
    c.path = csv.path();
    c.bank = csv.bank().empty()
                 ? std::filesystem::path(csv.path()).stem().string()
                 : csv.bank();
    updater_options.bank_csvs.push_back(std::move(c));
  }
  updater_options.sync_interval = absl::Seconds(config.sync_interval_seconds());
  updater_options.on_swap = [&d](const IndexSnapshot&) { d.MarkServing(); };
  CM_ASSIGN_OR_RETURN(
      d.updater_, IndexUpdater::Create(std::move(updater_options), d.holder_,
                                       d.metrics_registry_));

  MatcherService::Options matcher_options;
  matcher_options.max_request_bytes = limits.max_message_bytes();
  matcher_options.max_upload_bytes = limits.max_upload_bytes();
  matcher_options.max_concurrent_uploads =
      static_cast<int>(2 * limits.workers());
  matcher_options.max_stream_inflight =
      static_cast<int>(limits.max_stream_inflight());
  matcher_options.default_deadline =
      absl::Milliseconds(limits.default_deadline_ms());
  d.matcher_ =
      std::make_unique<MatcherService>(matcher_options, *d.pipeline_, *d.pool_,
                                       d.metrics_registry_, d.authorizer_);
  d.admin_ = std::make_unique<AdminService>(*d.updater_, d.metrics_registry_,
                                            d.authorizer_);
  CM_RETURN_IF_ERROR(d.StartReview());

  CM_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                      Credentials(config.tls()));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen(), credentials, &d.grpc_port_);
  // Room above the limit so that an oversized Check gets our
  // INVALID_ARGUMENT (naming the limit) rather than the transport's error.
  const uint64_t transport_limit =
      std::min<uint64_t>(2 * limits.max_message_bytes(), INT32_MAX);
  builder.SetMaxReceiveMessageSize(static_cast<int>(transport_limit));
  builder.SetMaxSendMessageSize(static_cast<int>(transport_limit));
  builder.RegisterService(d.matcher_.get());
  builder.RegisterService(d.admin_.get());
  builder.RegisterService(d.review_.get());
  d.server_ = builder.BuildAndStart();
  if (d.server_ == nullptr || d.grpc_port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("listen: cannot listen on ", config.listen()));
  }
  d.server_->GetHealthCheckService()->SetServingStatus(false);

  if (config.metrics_listen() != "off") {
    CM_ASSIGN_OR_RETURN(
        d.metrics_,
        MetricsHttpServer::Start(
            config.metrics_listen(),
            [&d] {
              d.metrics_registry_.SetWorkerLoad(d.pool_->Load());
              return d.metrics_registry_.RenderPrometheus(absl::Now()) +
                     d.review_recorder_->RenderPrometheus();
            },
            [&d] { return d.holder_.Current() != nullptr; }));
  }

  CM_RETURN_IF_ERROR(d.updater_->LoadInitial());
  d.updater_->Start();
  LogInfo(absl::StrCat("serving gRPC on ", config.listen(), " (port ",
                       d.grpc_port_, "), metrics on port ", d.metrics_port(),
                       ", data in ", config.data_dir()));
  return daemon;
}

absl::Status DaemonServer::StartReview() {
  ReviewStore::Options options;
  options.path = absl::StrCat(config_.data_dir(), "/review.sqlite");
  options.log_warning = [](absl::string_view message) { LogWarning(message); };
  CM_ASSIGN_OR_RETURN(review_store_, ReviewStore::Create(std::move(options)));
  review_recorder_ = std::make_unique<ReviewRecorder>(*review_store_, policy_);
  pipeline_->set_review_recorder(review_recorder_.get());
  // One worker: SQLite serialises writes anyway.
  review_pool_ = std::make_unique<WorkerPool>(/*workers=*/1, kReviewQueueSize);
  review_ = std::make_unique<ReviewService>(*review_store_, *review_pool_,
                                            metrics_registry_, authorizer_);
  return absl::OkStatus();
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
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

void DaemonServer::Wait() { server_->Wait(); }

DaemonServer::~DaemonServer() {
  if (server_ != nullptr) {
    Shutdown();
    server_->Wait();
  }
  // The updater's thread calls back into the server: stop it first. Then
  // the pools (every call is finished, so they hold nothing), the review
  // pool before the store its tasks use.
  updater_.reset();
  pool_.reset();
  review_pool_.reset();
}

}  // namespace clearmatch
