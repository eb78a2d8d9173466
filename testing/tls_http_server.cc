// Loopback HTTPS file server for tests.
#include "testing/tls_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "crypto/openssl_handles.h"
#include "crypto/pem.h"
#include "crypto/ssl_handles.h"
#include "testing/http_request_path.h"

namespace clearmatch::testing {
namespace {

constexpr int kPollMs = 20;
constexpr size_t kMaxRequestBytes = 65536;

absl::Status PemError(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": ", TakeOpenSslError()));
}

// Loads the certificate chain and key into a new server SSL_CTX.
absl::StatusOr<SslCtxPtr> MakeContext(const std::string& cert_chain_pem,
                                      const std::string& key_pem) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (ctx == nullptr) return PemError("SSL_CTX_new");
  BioPtr certs(BIO_new_mem_buf(cert_chain_pem.data(),
                               static_cast<int>(cert_chain_pem.size())));
  X509Ptr leaf(PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr));
  if (leaf == nullptr || SSL_CTX_use_certificate(ctx.get(), leaf.get()) != 1) {
    return PemError("server certificate");
  }
  while (X509* extra =
             PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx.get(), extra) != 1) {  // takes ownership
      X509_free(extra);
      return PemError("certificate chain");
    }
  }
  ERR_clear_error();  // the end of the chain reads as an error
  absl::StatusOr<EvpPkeyPtr> key = ParsePemPrivateKey(key_pem);
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("server private key: ", key.status().message()));
  }
  if (SSL_CTX_use_PrivateKey(ctx.get(), key->get()) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1) {
    return PemError("server private key");
  }
  return ctx;
}

// The path of a GET request without the leading '/', or "" if `ssl` ended
// before the end of the headers.
std::string ReadRequestPath(SSL* ssl) {
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos &&
         request.size() < kMaxRequestBytes) {
    const int n = SSL_read(ssl, buffer, sizeof(buffer));
    if (n <= 0) return "";
    request.append(buffer, static_cast<size_t>(n));
  }
  return RequestPath(request);
}

}  // namespace

struct TlsHttpServer::Context {
  SslCtxPtr ctx;
};

absl::StatusOr<std::unique_ptr<TlsHttpServer>> TlsHttpServer::Start(
    std::string root_dir, const std::string& cert_chain_pem,
    const std::string& key_pem) {
  auto ctx = MakeContext(cert_chain_pem, key_pem);
  if (!ctx.ok()) return ctx.status();
  auto context = std::make_unique<Context>();
  context->ctx = *std::move(ctx);
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError("TlsHttpServer: socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    close(fd);
    return absl::UnavailableError("TlsHttpServer: cannot listen on 127.0.0.1");
  }
  return std::unique_ptr<TlsHttpServer>(new TlsHttpServer(
      std::move(root_dir), std::move(context), fd, ntohs(addr.sin_port)));
}

TlsHttpServer::TlsHttpServer(std::string root_dir,
                             std::unique_ptr<Context> context, int listen_fd,
                             int port)
    : root_(std::move(root_dir)),
      context_(std::move(context)),
      listen_fd_(listen_fd),
      port_(port),
      thread_([this] { Run(); }) {}

TlsHttpServer::~TlsHttpServer() {
  stop_.store(true);
  thread_.join();
  close(listen_fd_);
}

std::string TlsHttpServer::base_url() const {
  return absl::StrCat("https://127.0.0.1:", port_, "/");
}

void TlsHttpServer::Run() {
  // Writing to a client that went away must give EPIPE, not kill the test:
  // SIGPIPE is blocked on this thread and each pending one taken back.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  const timespec no_wait{0, 0};
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, kPollMs) <= 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    connections_.fetch_add(1);
    // A client that stalls cannot hold the server (or its destructor).
    timeval timeout{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    Serve(fd);
    close(fd);
    while (sigtimedwait(&pipe_signal, nullptr, &no_wait) == SIGPIPE) {
    }
  }
}

void TlsHttpServer::Serve(int fd) {
  SslPtr ssl(SSL_new(context_->ctx.get()));
  if (ssl == nullptr || SSL_set_fd(ssl.get(), fd) != 1 ||
      SSL_accept(ssl.get()) != 1) {
    ERR_clear_error();  // e.g. the client refused our certificate
    return;
  }
  const std::string path = ReadRequestPath(ssl.get());
  if (path.empty()) return;  // no request, e.g. the client refused us late
  std::string body;
  int status = 404;
  if (!path.empty() && !absl::StrContains(path, "..")) {
    std::ifstream in(root_ + "/" + path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    if (in.is_open()) {
      status = 200;
      body = content.str();
    }
  }
  const std::string response =
      absl::StrCat("HTTP/1.1 ", status, status == 200 ? " OK" : " Not Found",
                   "\r\nContent-Length: ", body.size(),
                   "\r\nConnection: close\r\n\r\n", body);
  size_t done = 0;
  while (done < response.size()) {
    const int n = SSL_write(ssl.get(), response.data() + done,
                            static_cast<int>(response.size() - done));
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  SSL_shutdown(ssl.get());
  ERR_clear_error();
}

}  // namespace clearmatch::testing
