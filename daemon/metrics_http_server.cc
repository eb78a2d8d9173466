// Loopback HTTP for /metrics and /healthz, on cpp-httplib.
#include "daemon/metrics_http_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <sys/socket.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "http/listening_thread.h"

namespace clearmatch {
namespace {

constexpr int kIoTimeoutSeconds = 2;

// The IPv4 loopback host of "HOST:PORT" ("localhost" is 127.0.0.1).
bool ParseLoopbackAddress(const std::string& address, std::string* host,
                          int* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  *host = address.substr(0, colon);
  if (*host == "localhost") *host = "127.0.0.1";
  in_addr ipv4{};
  return absl::SimpleAtoi(address.substr(colon + 1), port) && *port >= 0 &&
         *port <= 65535 && ::inet_pton(AF_INET, host->c_str(), &ipv4) == 1 &&
         (ntohl(ipv4.s_addr) >> 24) == 127;
}

}  // namespace

MetricsHttpServer::MetricsHttpServer(std::function<std::string()> render,
                                     std::function<bool()> serving)
    : render_(std::move(render)),
      serving_(std::move(serving)),
      server_(std::make_unique<httplib::Server>()) {}

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& address, std::function<std::string()> render,
    std::function<bool()> serving) {
  std::string host;
  int port = 0;
  if (!ParseLoopbackAddress(address, &host, &port)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metrics_listen: \"", address, "\" is not a loopback IPv4 HOST:PORT"));
  }
  auto server = std::unique_ptr<MetricsHttpServer>(
      new MetricsHttpServer(std::move(render), std::move(serving)));
  httplib::Server& http = *server->server_;
  http.new_task_queue = [] { return new httplib::ThreadPool(1); };
  http.set_read_timeout(kIoTimeoutSeconds);
  http.set_write_timeout(kIoTimeoutSeconds);
  http.set_keep_alive_max_count(1);
  http.set_payload_max_length(8192);
  // SO_REUSEADDR only: the library's default SO_REUSEPORT would let
  // another process bind the same port and take the scrapes.
  http.set_socket_options([](socket_t fd) {
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  });
  server->AddRoutes();
  server->port_ = port == 0 ? http.bind_to_any_port(host)
                            : (http.bind_to_port(host, port) ? port : -1);
  if (server->port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("metrics_listen: cannot listen on ", address));
  }
  server->thread_ = StartListeningThread(http);
  return server;
}

MetricsHttpServer::~MetricsHttpServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void MetricsHttpServer::AddRoutes() {
  server_->Get("/metrics", [this](const httplib::Request&,
                                  httplib::Response& response) {
    response.set_content(render_(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/healthz", [this](const httplib::Request&,
                                  httplib::Response& response) {
    const bool serving = serving_();
    response.status = serving ? 200 : 503;
    response.set_content(serving ? "serving\n" : "not serving\n", "text/plain");
  });
  server_->set_error_handler(
      [](const httplib::Request&, httplib::Response& response) {
        if (response.status == 404) {
          response.set_content("GET /metrics or /healthz\n", "text/plain");
        }
      });
}

}  // namespace clearmatch
