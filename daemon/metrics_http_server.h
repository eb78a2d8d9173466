// MetricsHttpServer: a minimal HTTP/1.0 server on a loopback port for
// Prometheus scrapes (GET /metrics) and liveness/readiness (GET /healthz:
// 200 "serving", or 503 "not serving" until the first index is loaded).
// One connection at a time, request head bounded to 8 KiB and 2 s: it is
// for a local scraper, not the open network.
//
//   CM_ASSIGN_OR_RETURN(auto server, MetricsHttpServer::Start(
//       "127.0.0.1:9464", [&] { return metrics.RenderPrometheus(absl::Now());
//       },
//       [&] { return holder.Current() != nullptr; }));
//   int port = server->port();
//
// Thread-safe; the destructor stops the accept thread.
#ifndef CLEARMATCH_DAEMON_METRICS_HTTP_SERVER_H_
#define CLEARMATCH_DAEMON_METRICS_HTTP_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

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
  MetricsHttpServer(int fd, int port, std::function<std::string()> render,
                    std::function<bool()> serving);
  void Run();
  void Serve(int client);

  const int fd_;
  const int port_;
  const std::function<std::string()> render_;
  const std::function<bool()> serving_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_METRICS_HTTP_SERVER_H_
