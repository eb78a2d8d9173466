// Loading, defaults and validation of DaemonConfig.
#include "config/daemon_config.h"

#include <arpa/inet.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "config/clearinghouse_config.h"
#include "config/transport_config.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "matching/verdict_policy.h"

namespace clearmatch {
namespace {

constexpr uintmax_t kMaxConfigBytes = 1 << 20;

class CollectFirstError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (!error_.empty()) return;
    // Lines and columns are zero-based in protobuf.
    error_ = absl::StrCat(line + 1, ":", column + 1, ": ", message);
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

void MakeRelativeTo(const std::filesystem::path& dir, std::string* path) {
  if (path->empty() || std::filesystem::path(*path).is_absolute()) return;
  *path = (dir / *path).lexically_normal().string();
}

// host part of "host:port" or "[v6]:port".
bool SplitHostPort(absl::string_view address, absl::string_view* host,
                   absl::string_view* port) {
  if (absl::ConsumePrefix(&address, "[")) {
    const size_t close = address.find("]:");
    if (close == absl::string_view::npos) return false;
    *host = address.substr(0, close);
    *port = address.substr(close + 2);
    return true;
  }
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return false;
  *host = address.substr(0, colon);
  *port = address.substr(colon + 1);
  return true;
}

absl::Status ValidateAddress(absl::string_view key, absl::string_view address) {
  absl::string_view host, port;
  int port_number = 0;
  if (absl::StartsWith(address, "unix:")) return absl::OkStatus();
  if (!SplitHostPort(address, &host, &port) || host.empty() ||
      !absl::SimpleAtoi(port, &port_number) || port_number < 0 ||
      port_number > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        key, ": \"", address, "\" is not HOST:PORT (port 0..65535)"));
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status CheckRange(absl::string_view key, T value, T low, T high) {
  if (value < low || value > high) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": ", value, " is outside ", low, "..", high));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsLoopbackAddress(absl::string_view address) {
  if (absl::StartsWith(address, "unix:")) return true;
  absl::string_view host, port;
  if (!SplitHostPort(address, &host, &port)) return false;
  // 127.0.0.0/8 as a numeric address only: "127.example.com" is a name.
  in_addr ipv4;
  return host == "localhost" || host == "::1" ||
         (inet_pton(AF_INET, std::string(host).c_str(), &ipv4) == 1 &&
          (ntohl(ipv4.s_addr) >> 24) == 127);
}

absl::StatusOr<v1::DaemonConfig> ParseDaemonConfig(absl::string_view text,
                                                   absl::string_view origin) {
  v1::DaemonConfig config;
  google::protobuf::TextFormat::Parser parser;
  CollectFirstError errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &config)) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ":", errors.error()));
  }
  return config;
}

absl::StatusOr<v1::DaemonConfig> LoadDaemonConfigFile(const std::string& path) {
  std::error_code error;
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (error) {
    return absl::NotFoundError(
        absl::StrCat("config file ", path, ": ", error.message()));
  }
  if (size > kMaxConfigBytes) {
    return absl::InvalidArgumentError(absl::StrCat("config file ", path, " is ",
                                                   size, " bytes; at most ",
                                                   kMaxConfigBytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read config file ", path));
  }
  CM_ASSIGN_OR_RETURN(v1::DaemonConfig config,
                      ParseDaemonConfig(buffer.str(), path));
  const std::filesystem::path dir =
      std::filesystem::absolute(path).parent_path();
  for (v1::FeedConfig& feed : *config.mutable_feeds()) {
    MakeRelativeTo(dir, feed.mutable_public_key_file());
    MakeRelativeTo(dir, feed.mutable_ca_file());
    if (!absl::StrContains(feed.url(), "://")) {
      MakeRelativeTo(dir, feed.mutable_url());
    }
  }
  for (v1::BankCsvConfig& csv : *config.mutable_bank_csvs()) {
    MakeRelativeTo(dir, csv.mutable_path());
  }
  v1::TlsConfig* tls = config.mutable_tls();
  MakeRelativeTo(dir, tls->mutable_cert_file());
  MakeRelativeTo(dir, tls->mutable_key_file());
  MakeRelativeTo(dir, tls->mutable_client_ca_file());
  MakeRelativeTo(dir, config.mutable_sandbox()->mutable_decoder_path());
  if (config.unix_socket() != kUnixSocketOff) {
    MakeRelativeTo(dir, config.mutable_unix_socket());
  }
  MakeClearinghousePathsRelativeTo(dir, &config);
  return config;
}

namespace {

// sandbox: decoding in sandboxed decoder processes (docs/DAEMON.md,
// "Sandbox"). decoder_path stays empty: the daemon finds the binary.
void ApplySandboxDefaults(v1::Sandbox* sandbox) {
  if (!sandbox->has_enabled()) sandbox->set_enabled(true);
  if (!sandbox->has_memory_bytes()) {
    sandbox->set_memory_bytes(uint64_t{2} << 30);
  }
  if (!sandbox->has_image_cpu_ms()) sandbox->set_image_cpu_ms(5000);
  if (!sandbox->has_video_cpu_ms()) sandbox->set_video_cpu_ms(30000);
}

// The decoder budgets (decoders/decode_limits.h has the same defaults).
void ApplyDecodeLimitDefaults(v1::Limits* limits) {
  if (!limits->has_max_jpeg_scans()) limits->set_max_jpeg_scans(100);
  if (!limits->has_max_decoded_bytes()) {
    limits->set_max_decoded_bytes(uint64_t{512} << 20);
  }
}

}  // namespace

void ApplyDaemonConfigDefaults(v1::DaemonConfig* config) {
  if (config->listen().empty()) config->set_listen(kDefaultListen);
  if (config->data_dir().empty()) config->set_data_dir(kDefaultDataDir);
  if (config->metrics_listen().empty()) {
    config->set_metrics_listen(kDefaultMetricsListen);
  }
  if (config->web_listen().empty()) config->set_web_listen(kWebOff);
  if (config->unix_socket().empty()) {
    config->set_unix_socket(
        absl::StrCat(config->data_dir(), "/", kDefaultUnixSocketName));
  }
  if (!config->has_sync_interval_seconds()) {
    config->set_sync_interval_seconds(300);
  }
  v1::Limits* limits = config->mutable_limits();
  if (!limits->has_workers()) limits->set_workers(2);
  if (!limits->has_queue_size()) limits->set_queue_size(64);
  if (!limits->has_max_message_bytes()) {
    limits->set_max_message_bytes(16 << 20);
  }
  if (!limits->has_max_upload_bytes()) {
    limits->set_max_upload_bytes(uint64_t{256} << 20);
  }
  if (!limits->has_max_image_pixels()) {
    limits->set_max_image_pixels(uint64_t{64} << 20);
  }
  if (!limits->has_max_stream_inflight()) limits->set_max_stream_inflight(4);
  if (!limits->has_default_deadline_ms()) {
    limits->set_default_deadline_ms(30000);
  }
  ApplyDecodeLimitDefaults(limits);
  ApplySandboxDefaults(config->mutable_sandbox());
  ApplyClearinghouseDefaults(config);
  ApplyTransportDefaults(config);
}

namespace {

absl::Status ValidateRoles(
    absl::string_view key,
    const google::protobuf::RepeatedPtrField<std::string>& roles) {
  for (const std::string& role : roles) {
    if (role != "checker" && role != "admin" && role != "reviewer") {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ".roles: unknown role \"", role,
                       "\" (checker, admin or reviewer)"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRoleMapping(const v1::TlsConfig& tls, int i) {
  const v1::RoleMapping& mapping = tls.roles(i);
  const std::string key = absl::StrCat("tls.roles[", i, "]");
  if (tls.client_ca_file().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": roles need tls.client_ca_file (mTLS)"));
  }
  if (mapping.common_name().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ".common_name: must not be empty"));
  }
  return ValidateRoles(key, mapping.roles());
}

// listen, tls.* and the roles.
absl::Status ValidateTls(const v1::DaemonConfig& config) {
  CM_RETURN_IF_ERROR(ValidateAddress("listen", config.listen()));
  const bool tls = !config.tls().cert_file().empty();
  if (!IsLoopbackAddress(config.listen()) && !tls &&
      !config.allow_insecure_non_loopback()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen: \"", config.listen(),
        "\" is not a loopback address: set tls.cert_file and tls.key_file, "
        "or allow_insecure_non_loopback: true"));
  }
  if (tls != !config.tls().key_file().empty()) {
    return absl::InvalidArgumentError(
        "tls: cert_file and key_file must be set together");
  }
  if (!config.tls().client_ca_file().empty() && !tls) {
    return absl::InvalidArgumentError(
        "tls.client_ca_file: mTLS needs tls.cert_file and tls.key_file");
  }
  absl::flat_hash_set<std::string> common_names;
  for (int i = 0; i < config.tls().roles_size(); ++i) {
    CM_RETURN_IF_ERROR(ValidateRoleMapping(config.tls(), i));
    if (!common_names.insert(config.tls().roles(i).common_name()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tls.roles[", i, "].common_name: \"",
          config.tls().roles(i).common_name(), "\" is mapped twice"));
    }
  }
  return absl::OkStatus();
}

// unix_socket and unix_roles.
absl::Status ValidateUnixSocket(const v1::DaemonConfig& config) {
  const std::string& path = config.unix_socket();
  if (path == kUnixSocketOff) {
    if (config.unix_roles_size() > 0) {
      return absl::InvalidArgumentError(
          "unix_roles: the unix socket is off (unix_socket: \"off\")");
    }
    return absl::OkStatus();
  }
  // sockaddr_un.sun_path holds 108 bytes with the final NUL.
  if (path.empty() || path.size() > 107 || absl::StartsWith(path, "unix:")) {
    return absl::InvalidArgumentError(
        absl::StrCat("unix_socket: \"", path,
                     "\" is not a file path of 1 to 107 bytes (or \"off\")"));
  }
  absl::flat_hash_set<uint32_t> uids;
  for (int i = 0; i < config.unix_roles_size(); ++i) {
    const v1::UnixRoleMapping& mapping = config.unix_roles(i);
    const std::string key = absl::StrCat("unix_roles[", i, "]");
    if (!uids.insert(mapping.uid()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ".uid: ", mapping.uid(), " is mapped twice"));
    }
    CM_RETURN_IF_ERROR(ValidateRoles(key, mapping.roles()));
  }
  return absl::OkStatus();
}

absl::Status ValidateMetricsListen(const v1::DaemonConfig& config) {
  if (config.metrics_listen() == kMetricsOff) return absl::OkStatus();
  CM_RETURN_IF_ERROR(
      ValidateAddress("metrics_listen", config.metrics_listen()));
  if (!IsLoopbackAddress(config.metrics_listen()) ||
      absl::StartsWith(config.metrics_listen(), "unix:")) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics_listen: \"", config.metrics_listen(),
                     "\" must be a loopback HOST:PORT"));
  }
  return absl::OkStatus();
}

// The web page: TLS beyond loopback; the local reviewer only on a
// plaintext loopback listener; a viewer link with {content_id}.
absl::Status ValidateWeb(const v1::DaemonConfig& config) {
  const bool tls = !config.tls().cert_file().empty();
  if (!config.content_url_template().empty() &&
      ((!absl::StartsWith(config.content_url_template(), "https://") &&
        !absl::StartsWith(config.content_url_template(), "http://")) ||
       !absl::StrContains(config.content_url_template(), "{content_id}"))) {
    return absl::InvalidArgumentError(
        absl::StrCat("content_url_template: \"", config.content_url_template(),
                     "\" is not an http(s):// URL with {content_id}"));
  }
  if (config.web_listen() == kWebOff) {
    if (!config.web_local_reviewer().empty()) {
      return absl::InvalidArgumentError(
          "web_local_reviewer: set, but web_listen is off");
    }
    return absl::OkStatus();
  }
  CM_RETURN_IF_ERROR(ValidateAddress("web_listen", config.web_listen()));
  if (absl::StartsWith(config.web_listen(), "unix:")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "web_listen: \"", config.web_listen(), "\" must be HOST:PORT"));
  }
  if (!tls && !IsLoopbackAddress(config.web_listen())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "web_listen: \"", config.web_listen(),
        "\" is not loopback: the web page needs tls (cert_file, key_file, "
        "client_ca_file for reviewers' certificates) beyond loopback"));
  }
  if (!config.web_local_reviewer().empty()) {
    if (tls) {
      return absl::InvalidArgumentError(
          "web_local_reviewer: only for a plaintext loopback web_listen "
          "(tls is set: reviewers are their client certificates)");
    }
    if (config.web_local_reviewer().size() > 256) {
      return absl::InvalidArgumentError(
          "web_local_reviewer: longer than 256 bytes");
    }
  }
  return absl::OkStatus();
}

// The decoder budgets: at least one scan and 1 MiB (a 512x512 decode), at
// most what no decoder should ever need (10,000 scans, 64 GiB).
absl::Status ValidateDecodeLimits(const v1::Limits& limits) {
  CM_RETURN_IF_ERROR(CheckRange<uint32_t>("limits.max_jpeg_scans",
                                          limits.max_jpeg_scans(), 1, 10000));
  return CheckRange<uint64_t>("limits.max_decoded_bytes",
                              limits.max_decoded_bytes(), uint64_t{1} << 20,
                              uint64_t{64} << 30);
}

absl::Status ValidateLimits(const v1::Limits& limits) {
  CM_RETURN_IF_ERROR(
      CheckRange<uint32_t>("limits.workers", limits.workers(), 1, 256));
  CM_RETURN_IF_ERROR(CheckRange<uint32_t>("limits.queue_size",
                                          limits.queue_size(), 0, 100000));
  CM_RETURN_IF_ERROR(CheckRange<uint64_t>("limits.max_message_bytes",
                                          limits.max_message_bytes(), 1024,
                                          uint64_t{1} << 30));
  CM_RETURN_IF_ERROR(CheckRange<uint64_t>("limits.max_upload_bytes",
                                          limits.max_upload_bytes(), 1,
                                          uint64_t{4} << 30));
  CM_RETURN_IF_ERROR(CheckRange<uint64_t>("limits.max_image_pixels",
                                          limits.max_image_pixels(), 1,
                                          uint64_t{1} << 31));
  CM_RETURN_IF_ERROR(CheckRange<uint32_t>(
      "limits.max_stream_inflight", limits.max_stream_inflight(), 1, 1024));
  return CheckRange<uint32_t>("limits.default_deadline_ms",
                              limits.default_deadline_ms(), 1, 3600000);
}

absl::Status ValidateSandbox(const v1::Sandbox& sandbox) {
  CM_RETURN_IF_ERROR(
      CheckRange<uint64_t>("sandbox.memory_bytes", sandbox.memory_bytes(),
                           uint64_t{256} << 20, uint64_t{64} << 30));
  CM_RETURN_IF_ERROR(CheckRange<uint32_t>("sandbox.image_cpu_ms",
                                          sandbox.image_cpu_ms(), 100, 600000));
  return CheckRange<uint32_t>("sandbox.video_cpu_ms", sandbox.video_cpu_ms(),
                              100, 3600000);
}

// feeds[] and bank_csvs[].
absl::Status ValidateSources(const v1::DaemonConfig& config) {
  for (int i = 0; i < config.feeds_size(); ++i) {
    const v1::FeedConfig& feed = config.feeds(i);
    const std::string key = absl::StrCat("feeds[", i, "]");
    if (feed.url().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ".url: must not be empty"));
    }
    if (feed.public_key_file().empty() == feed.public_key_pem().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          key, ": set exactly one of public_key_file and public_key_pem"));
    }
    if (!feed.ca_file().empty() && !absl::StartsWith(feed.url(), "https://")) {
      return absl::InvalidArgumentError(absl::StrCat(
          key, ".ca_file: only https:// feeds use a CA, not ", feed.url()));
    }
  }
  for (int i = 0; i < config.bank_csvs_size(); ++i) {
    if (config.bank_csvs(i).path().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("bank_csvs[", i, "].path: must not be empty"));
    }
  }
  return absl::OkStatus();
}

// Empty (SQLite in data_dir) or a PostgreSQL URL. The value is not
// echoed: it may hold a password.
absl::Status ValidateReviewDatabaseUrl(const v1::DaemonConfig& config) {
  const std::string& url = config.review_database_url();
  if (url.empty() || absl::StartsWith(url, "postgresql://") ||
      absl::StartsWith(url, "postgres://")) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      "review_database_url: must be empty (SQLite in data_dir) or a "
      "postgresql:// URL");
}

}  // namespace

absl::Status ValidateDaemonConfig(const v1::DaemonConfig& config) {
  CM_RETURN_IF_ERROR(ValidateTls(config));
  CM_RETURN_IF_ERROR(ValidateUnixSocket(config));
  CM_RETURN_IF_ERROR(ValidateMetricsListen(config));
  CM_RETURN_IF_ERROR(ValidateWeb(config));
  if (config.data_dir().empty()) {
    return absl::InvalidArgumentError("data_dir: must not be empty");
  }
  CM_RETURN_IF_ERROR(ValidateLimits(config.limits()));
  CM_RETURN_IF_ERROR(ValidateDecodeLimits(config.limits()));
  CM_RETURN_IF_ERROR(ValidateTransport(config));
  CM_RETURN_IF_ERROR(ValidateSandbox(config.sandbox()));
  CM_RETURN_IF_ERROR(ValidateSources(config));
  CM_RETURN_IF_ERROR(ValidateClearinghouseSources(config));
  CM_RETURN_IF_ERROR(ValidateReviewDatabaseUrl(config));
  return VerdictPolicy::Create(config).status();
}

}  // namespace clearmatch
