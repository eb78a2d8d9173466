// Test helper: a minimal HTTPS/1.1 server on 127.0.0.1 (ephemeral port)
// that serves the files of a directory over TLS with the certificate it is
// given (OpenSSL's SSL API). One connection at a time, closed after one
// response; 404 for a missing file. Used by the HTTPS feed source tests.
//
//   CM_ASSIGN_OR_RETURN(auto server,
//                       TlsHttpServer::Start(feed_dir, cert_pem, key_pem));
//   ... fetch server->base_url() + "manifest.pb" with the CA trusted ...
#ifndef CLEARMATCH_TESTING_TLS_HTTP_SERVER_H_
#define CLEARMATCH_TESTING_TLS_HTTP_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace clearmatch::testing {

// Thread-safe: connections() may be read while the server thread runs.
class TlsHttpServer {
 public:
  // Listens on 127.0.0.1:0 and serves files under `root_dir` with the PEM
  // certificate chain and private key. INVALID_ARGUMENT for PEM that
  // OpenSSL refuses; UNAVAILABLE if the socket cannot be set up.
  static absl::StatusOr<std::unique_ptr<TlsHttpServer>> Start(
      std::string root_dir, const std::string& cert_chain_pem,
      const std::string& key_pem);
  ~TlsHttpServer();  // stops the thread, closes everything

  // "https://127.0.0.1:PORT/"
  std::string base_url() const;
  // TCP connections accepted so far (a failed handshake counts).
  int connections() const { return connections_.load(); }

 private:
  struct Context;
  TlsHttpServer(std::string root_dir, std::unique_ptr<Context> context,
                int listen_fd, int port);
  void Run();
  void Serve(int fd);

  const std::string root_;
  const std::unique_ptr<Context> context_;  // SSL_CTX
  const int listen_fd_;
  const int port_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_TLS_HTTP_SERVER_H_
