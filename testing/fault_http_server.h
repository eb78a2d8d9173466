// Test helper: a real HTTP/1.1 server on 127.0.0.1 (ephemeral port) that
// serves a directory and can misbehave on purpose per path (truncated body,
// connection reset, error status with headers, never answering, a body that
// never ends). Used by the feed fault tests and the feed benchmark. Handles
// one connection at a time, closing each after one response.
//
//   CM_ASSIGN_OR_RETURN(auto server, FaultHttpServer::Start(feed_dir));
//   server->SetFault("manifest.pb", {.fault = FaultHttpServer::Fault::kReset},
//   1);
//   ... fetch server->base_url() + "manifest.pb" ...
#ifndef CLEARMATCH_TESTING_FAULT_HTTP_SERVER_H_
#define CLEARMATCH_TESTING_FAULT_HTTP_SERVER_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace clearmatch::testing {

// Thread-safe: faults may be set while the server thread runs.
class FaultHttpServer {
 public:
  enum class Fault {
    kNone,         // answer `status`, `headers`, `body` (or the file)
    kTruncate,     // announce the full length, send half the body, close
    kReset,        // read the request, then reset the connection (RST)
    kNeverAnswer,  // read the request, then stay silent until the client goes
    kEndlessBody,  // 200 without a length, then bytes until the client goes
  };
  struct Response {
    Fault fault = Fault::kNone;
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    // Body to send; if empty and status is 200, the file from the directory.
    std::string body;

    static Response WithFault(Fault fault) {
      Response r;
      r.fault = fault;
      return r;
    }
    static Response WithStatus(
        int status,
        std::vector<std::pair<std::string, std::string>> headers = {}) {
      Response r;
      r.status = status;
      r.headers = std::move(headers);
      return r;
    }
    static Response WithBody(std::string body) {
      Response r;
      r.body = std::move(body);
      return r;
    }
  };

  // Listens on 127.0.0.1:0 and serves files under `root_dir`.
  static absl::StatusOr<std::unique_ptr<FaultHttpServer>> Start(
      std::string root_dir);
  ~FaultHttpServer();  // stops the thread, closes everything

  // "http://127.0.0.1:PORT/"
  std::string base_url() const;

  // The next `times` requests for `path` (no leading '/') get `response`;
  // times < 0: every request.
  void SetFault(const std::string& path, Response response, int times = -1);
  void ClearFaults();
  // Requests seen for `path`.
  int RequestCount(const std::string& path);

 private:
  FaultHttpServer(std::string root_dir, int listen_fd, int port);
  void Run();
  void Serve(int fd);
  Response Choose(const std::string& path);

  const std::string root_;
  const int listen_fd_;
  const int port_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  std::map<std::string, std::pair<Response, int>> faults_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> counts_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_FAULT_HTTP_SERVER_H_
