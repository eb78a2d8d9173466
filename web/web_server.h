// WebServer: the reviewers' web page and its JSON API (docs/REVIEW.md, "Web
// page") on their own listener (web_listen), on cpp-httplib.
// - TLS with the daemon's certificate (tls.cert_file, key_file); with
//   tls.client_ca_file a client certificate is required (mTLS) and its
//   subject CN is the caller, with the roles tls.roles gives it, as on
//   gRPC. TLS without a client CA: every caller is anonymous (the API
//   answers 401).
// - Plaintext only on loopback, and there every request is the operator's
//   local reviewer (web_local_reviewer); without one the caller is
//   anonymous, so nothing can be changed. The Host header must name the
//   loopback listener (no DNS rebinding).
// - /api/v1/... (web/review_api_routes.h) over ReviewApi; every other GET
//   a static asset (web/static_assets.h).
// - Every answer has the security headers (web/security_headers.h); API
//   answers are not cached. Bodies are bounded (max_body_bytes), reads and
//   writes time out, a fixed pool of threads serves the connections.
//
//   WebServer::Options options;
//   options.listen = "127.0.0.1:8080";
//   options.local_reviewer = "ann";
//   CM_ASSIGN_OR_RETURN(auto server, WebServer::Start(options, api));
//
// Thread-safe; the destructor stops the listener and waits for its
// threads (the requests in progress finish first). `api` must outlive it.
#ifndef CLEARMATCH_WEB_WEB_SERVER_H_
#define CLEARMATCH_WEB_WEB_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "web/csrf_guard.h"
#include "web/review_api.h"

namespace httplib {
class Server;
struct Request;
}  // namespace httplib

namespace clearmatch {

class WebServer {
 public:
  struct Options {
    std::string listen;  // "HOST:PORT" (port 0 picks one)
    // PEM files; cert_file empty: plaintext, loopback only.
    std::string cert_file;
    std::string key_file;
    std::string client_ca_file;  // set: mTLS, a certificate required
    // Plaintext only: the reviewer every request is; empty: none.
    std::string local_reviewer;
    std::string content_url_template;  // given to the page; "" none
    int threads = 4;
    size_t max_body_bytes = 64 << 10;
    absl::Duration io_timeout = absl::Seconds(10);
  };

  // Binds and starts serving. INVALID_ARGUMENT for a malformed address, a
  // plaintext non-loopback one, a local reviewer with TLS, bad limits;
  // FAILED_PRECONDITION when the certificate or key cannot be loaded;
  // UNAVAILABLE when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<WebServer>> Start(
      const Options& options, ReviewApi& api);
  ~WebServer();

  int port() const { return port_; }
  bool tls() const { return !options_.cert_file.empty(); }

 private:
  WebServer(const Options& options, ReviewApi& api);
  absl::Status Bind();
  void AddRoutes();
  // Who sent `request`, as its transport proved it.
  WebCaller CallerOf(const httplib::Request& request) const;
  // Plaintext: whether the Host header names this loopback listener.
  bool HostIsLoopback(const httplib::Request& request) const;

  const Options options_;
  ReviewApi& api_;
  const CsrfGuard csrf_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_WEB_WEB_SERVER_H_
