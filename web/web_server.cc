// The web listener on cpp-httplib.
#include "web/web_server.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "http/listening_thread.h"
#include "web/api_json.h"
#include "web/review_api_routes.h"
#include "web/security_headers.h"
#include "web/static_assets.h"

namespace clearmatch {
namespace {

// host and port of "HOST:PORT" or "[V6]:PORT".
bool SplitListen(absl::string_view listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return false;
  absl::string_view name = listen.substr(0, colon);
  if (absl::StartsWith(name, "[") && absl::EndsWith(name, "]")) {
    name = name.substr(1, name.size() - 2);
  }
  *host = std::string(name);
  return absl::SimpleAtoi(listen.substr(colon + 1), port) && *port >= 0 &&
         *port <= 65535 && !host->empty();
}

bool IsLoopbackHost(absl::string_view host) {
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

// The TLS context: our certificate and key; with a client CA, a verified
// client certificate is required. TLS 1.2 at least.
bool SetUpTls(const WebServer::Options& options, SSL_CTX& context) {
  SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(&context, options.cert_file.c_str()) !=
          1 ||
      SSL_CTX_use_PrivateKey_file(&context, options.key_file.c_str(),
                                  SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(&context) != 1) {
    return false;
  }
  if (!options.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(&context, options.client_ca_file.c_str(),
                                      nullptr) != 1) {
      return false;
    }
    SSL_CTX_set_verify(
        &context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  // No session resumption: every connection shows its certificate afresh
  // (and OpenSSL answers a resumption attempt on a verifying server without
  // a session id context with an internal_error alert).
  static constexpr unsigned char kSessionContext[] = "clearmatch-web";
  SSL_CTX_set_session_id_context(&context, kSessionContext,
                                 sizeof(kSessionContext) - 1);
  SSL_CTX_set_session_cache_mode(&context, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(&context, SSL_OP_NO_TICKET);
  return true;
}

absl::Status CheckOptions(const WebServer::Options& options) {
  std::string host;
  int port = 0;
  if (!SplitListen(options.listen, &host, &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("web_listen: \"", options.listen, "\" is not HOST:PORT"));
  }
  const bool tls = !options.cert_file.empty();
  if (!tls && !IsLoopbackHost(host)) {
    return absl::InvalidArgumentError(
        absl::StrCat("web_listen: \"", options.listen,
                     "\" is not loopback: plaintext only on loopback"));
  }
  if (tls && !options.local_reviewer.empty()) {
    return absl::InvalidArgumentError(
        "web_local_reviewer: only for a plaintext loopback listener");
  }
  if (options.threads < 1 || options.max_body_bytes == 0 ||
      options.io_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "web server: threads, max_body_bytes and io_timeout must be positive");
  }
  return absl::OkStatus();
}

}  // namespace

WebServer::WebServer(const Options& options, ReviewApi& api)
    : options_(options), api_(api) {}

absl::StatusOr<std::unique_ptr<WebServer>> WebServer::Start(
    const Options& options, ReviewApi& api) {
  if (absl::Status status = CheckOptions(options); !status.ok()) {
    return status;
  }
  auto server = std::unique_ptr<WebServer>(new WebServer(options, api));
  if (absl::Status status = server->Bind(); !status.ok()) return status;
  server->AddRoutes();
  httplib::Server* http = server->server_.get();
  server->thread_ = StartListeningThread(*http);
  return server;
}

WebServer::~WebServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::Status WebServer::Bind() {
  if (tls()) {
    const Options& options = options_;
    server_ = std::make_unique<httplib::SSLServer>(
        [&options](SSL_CTX& context) { return SetUpTls(options, context); });
    if (!server_->is_valid()) {
      return absl::FailedPreconditionError(
          absl::StrCat("web listener: cannot load the TLS certificate \"",
                       options_.cert_file, "\", its key or the client CA \"",
                       options_.client_ca_file, "\""));
    }
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  const int threads = options_.threads;
  server_->new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  const int64_t seconds =
      std::max<int64_t>(1, absl::ToInt64Seconds(options_.io_timeout));
  server_->set_read_timeout(seconds);
  server_->set_write_timeout(seconds);
  server_->set_keep_alive_timeout(seconds);
  server_->set_keep_alive_max_count(100);
  server_->set_payload_max_length(options_.max_body_bytes);
  // SO_REUSEADDR only: the library's default SO_REUSEPORT would let
  // another process bind the same port and take reviewers' requests.
  server_->set_socket_options([](socket_t fd) {
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  });
  std::string host;
  int port = 0;
  SplitListen(options_.listen, &host, &port);
  port_ = port == 0 ? server_->bind_to_any_port(host)
                    : (server_->bind_to_port(host, port) ? port : -1);
  if (port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("web listener: cannot bind ", options_.listen));
  }
  return absl::OkStatus();
}

WebCaller WebServer::CallerOf(const httplib::Request& request) const {
  WebCaller caller;
  if (!tls()) {
    if (!options_.local_reviewer.empty()) {
      caller.kind = WebCaller::Kind::kLocalReviewer;
      caller.name = options_.local_reviewer;
    }
    return caller;
  }
  SSL* ssl = const_cast<SSL*>(request.ssl);
  X509* certificate = ssl != nullptr ? SSL_get0_peer_certificate(ssl) : nullptr;
  if (certificate == nullptr || SSL_get_verify_result(ssl) != X509_V_OK ||
      options_.client_ca_file.empty()) {
    return caller;
  }
  caller.kind = WebCaller::Kind::kCertificate;
  char common_name[256] = {0};
  const int length = X509_NAME_get_text_by_NID(
      X509_get_subject_name(certificate), NID_commonName, common_name,
      sizeof(common_name));
  if (length > 0) caller.name.assign(common_name, length);
  return caller;
}

bool WebServer::HostIsLoopback(const httplib::Request& request) const {
  const std::string host =
      absl::AsciiStrToLower(request.get_header_value("Host"));
  const std::string port = absl::StrCat(":", port_);
  return host == absl::StrCat("127.0.0.1", port) ||
         host == absl::StrCat("localhost", port) ||
         host == absl::StrCat("[::1]", port);
}

void WebServer::AddRoutes() {
  const auto headers = SecurityHeaders(options_.content_url_template, tls());
  server_->set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        if (tls() || HostIsLoopback(request)) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        response.status = 421;
        response.set_content(
            ErrorJson(absl::PermissionDeniedError(absl::StrCat(
                "Host: \"", request.get_header_value("Host").substr(0, 200),
                "\" is not this loopback listener (127.0.0.1:", port_,
                ", localhost:", port_, ")"))),
            "application/json");
        return httplib::Server::HandlerResponse::Handled;
      });
  server_->set_post_routing_handler([headers](const httplib::Request& request,
                                              httplib::Response& response) {
    for (const auto& [name, value] : headers) {
      response.set_header(name, value);
    }
    response.set_header("Cache-Control", absl::StartsWith(request.path, "/api/")
                                             ? "no-store"
                                             : "no-cache");
  });
  server_->set_error_handler(
      [](const httplib::Request&, httplib::Response& response) {
        if (!response.body.empty()) return;
        const absl::Status status =
            response.status == 413
                ? absl::InvalidArgumentError("body: over the size limit")
                : absl::NotFoundError("not found");
        if (response.status == 413) response.status = 400;
        response.set_content(ErrorJson(status), "application/json");
      });
  server_->set_exception_handler([](const httplib::Request&,
                                    httplib::Response& response,
                                    std::exception_ptr) {
    response.status = 500;
    response.set_content(ErrorJson(absl::InternalError("internal error")),
                         "application/json");
  });
  ReviewApiRoutesOptions routes;
  routes.caller_of = [this](const httplib::Request& request) {
    return CallerOf(request);
  };
  routes.tls = tls();
  routes.read_only = !tls() && options_.local_reviewer.empty();
  routes.content_url_template = options_.content_url_template;
  AddReviewApiRoutes(*server_, api_, csrf_, routes);
  server_->Get(R"(/.*)", [](const httplib::Request& request,
                            httplib::Response& response) {
    const StaticAsset* asset = FindStaticAsset(request.path);
    if (asset == nullptr) {
      response.status = 404;
      response.set_content("not found\n", "text/plain; charset=utf-8");
      return;
    }
    response.set_content(std::string(asset->body),
                         std::string(asset->content_type));
  });
}

}  // namespace clearmatch
