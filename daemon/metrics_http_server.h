// MetricsHttpServer: HTTP on a loopback port for Prometheus scrapes
// (GET /metrics) and liveness/readiness (GET /healthz: 200 "serving", or
// 503 "not serving" until the first index is loaded), on cpp-httplib. One
// connection at a time, reads and writes time out after 2 s, request heads
// bounded by the library (8 KiB): it is for a local scraper, not the open
// network.
//
//   CM_ASSIGN_OR_RETURN(auto server, MetricsHttpServer::Start(
//       "127.0.0.1:9464", [&] { return metrics.RenderPrometheus(absl::Now());
//       },
//       [&] { return holder.Current() != nullptr; }));
//   int port = server->port();
//
// Thread-safe; the destructor stops the listener and joins its thread.
#ifndef CLEARMATCH_DAEMON_METRICS_HTTP_SERVER_H_
#define CLEARMATCH_DAEMON_METRICS_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace clearmatch {

class MetricsHttpServer {
 public:
  // Binds `address` (IPv4 "127.0.0.1:PORT"; port 0 picks one).
  // INVALID_ARGUMENT for a non-loopback or malformed address, UNAVAILABLE
  // if the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& address, std::function<std::string()> render,
      std::function<bool()> serving);
  ~MetricsHttpServer();

  int port() const { return port_; }

 private:
  MetricsHttpServer(std::function<std::string()> render,
                    std::function<bool()> serving);
  void AddRoutes();

  const std::function<std::string()> render_;
  const std::function<bool()> serving_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_METRICS_HTTP_SERVER_H_
