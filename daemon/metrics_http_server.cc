// Loopback HTTP for /metrics and /healthz.
#include "daemon/metrics_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace clearmatch {
namespace {

constexpr size_t kMaxRequestHead = 8192;
constexpr int kIoTimeoutMs = 2000;

void SendAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void Respond(int fd, int code, absl::string_view reason,
             absl::string_view content_type, absl::string_view body) {
  SendAll(fd, absl::StrCat("HTTP/1.0 ", code, " ", reason, "\r\nContent-Type: ",
                           content_type, "\r\nContent-Length: ", body.size(),
                           "\r\nConnection: close\r\n\r\n", body));
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& address, std::function<std::string()> render,
    std::function<bool()> serving) {
  const size_t colon = address.rfind(':');
  int port = 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  std::string host = colon == std::string::npos ? "" : address.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535 || ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
      (ntohl(addr.sin_addr.s_addr) >> 24) != 127) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metrics_listen: \"", address, "\" is not a loopback IPv4 HOST:PORT"));
  }
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, 16) != 0) {
    const int error = errno;
    ::close(fd);
    return absl::UnavailableError(
        absl::StrCat("metrics_listen: cannot listen on ", address, ": ",
                     std::strerror(error)));
  }
  socklen_t length = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  return std::unique_ptr<MetricsHttpServer>(new MetricsHttpServer(
      fd, ntohs(addr.sin_port), std::move(render), std::move(serving)));
}

MetricsHttpServer::MetricsHttpServer(int fd, int port,
                                     std::function<std::string()> render,
                                     std::function<bool()> serving)
    : fd_(fd),
      port_(port),
      render_(std::move(render)),
      serving_(std::move(serving)) {
  thread_ = std::thread([this] { Run(); });
}

MetricsHttpServer::~MetricsHttpServer() {
  stopping_ = true;
  ::shutdown(fd_, SHUT_RDWR);
  thread_.join();
  ::close(fd_);
}

void MetricsHttpServer::Run() {
  while (!stopping_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 500) <= 0) continue;
    const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    Serve(client);
    ::close(client);
  }
}

void MetricsHttpServer::Serve(int client) {
  timeval timeout{kIoTimeoutMs / 1000, (kIoTimeoutMs % 1000) * 1000};
  ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  std::string head;
  char buffer[1024];
  while (head.find("\r\n\r\n") == std::string::npos &&
         head.find("\n\n") == std::string::npos) {
    if (head.size() >= kMaxRequestHead) {
      Respond(client, 431, "Request Header Fields Too Large", "text/plain",
              "request head too large\n");
      return;
    }
    const ssize_t n = ::recv(client, buffer, sizeof(buffer), 0);
    if (n <= 0) return;  // closed or timed out
    head.append(buffer, static_cast<size_t>(n));
  }
  const absl::string_view line =
      absl::string_view(head).substr(0, head.find_first_of("\r\n"));
  if (absl::StartsWith(line, "GET /metrics ") || line == "GET /metrics") {
    Respond(client, 200, "OK", "text/plain; version=0.0.4; charset=utf-8",
            render_());
  } else if (absl::StartsWith(line, "GET /healthz")) {
    if (serving_()) {
      Respond(client, 200, "OK", "text/plain", "serving\n");
    } else {
      Respond(client, 503, "Service Unavailable", "text/plain",
              "not serving\n");
    }
  } else {
    Respond(client, 404, "Not Found", "text/plain",
            "GET /metrics or /healthz\n");
  }
}

}  // namespace clearmatch
