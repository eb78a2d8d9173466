// Loopback HTTP server with injectable faults, for tests and benchmarks.
#include "testing/fault_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "testing/http_request_path.h"

namespace clearmatch::testing {
namespace {

constexpr int kPollMs = 20;

// Sends all of `data`; false if the peer went away or the server stops.
bool SendAll(int fd, const char* data, size_t size,
             const std::atomic<bool>& stop) {
  size_t done = 0;
  while (done < size && !stop.load()) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, kPollMs) <= 0) continue;
    const ssize_t n = send(fd, data + done, size - done, MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return done == size;
}

// Reads until the end of the request headers; the request path without the
// leading '/', or "" if the client went away or the server stops.
std::string ReadRequestPath(int fd, const std::atomic<bool>& stop) {
  std::string request;
  char buffer[4096];
  while (!stop.load() && request.find("\r\n\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, kPollMs) <= 0) continue;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return "";
    request.append(buffer, static_cast<size_t>(n));
    if (request.size() > 65536) return "";
  }
  return RequestPath(request);
}

std::string ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<FaultHttpServer>> FaultHttpServer::Start(
    std::string root_dir) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int error = errno;
    close(fd);
    return absl::InternalError(
        absl::StrCat("bind/listen 127.0.0.1: ", std::strerror(error)));
  }
  std::unique_ptr<FaultHttpServer> server(
      new FaultHttpServer(std::move(root_dir), fd, ntohs(address.sin_port)));
  server->thread_ = std::thread([s = server.get()] { s->Run(); });
  return server;
}

FaultHttpServer::FaultHttpServer(std::string root_dir, int listen_fd, int port)
    : root_(std::move(root_dir)), listen_fd_(listen_fd), port_(port) {}

FaultHttpServer::~FaultHttpServer() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  close(listen_fd_);
}

std::string FaultHttpServer::base_url() const {
  return absl::StrCat("http://127.0.0.1:", port_, "/");
}

void FaultHttpServer::SetFault(const std::string& path, Response response,
                               int times) {
  absl::MutexLock lock(&mu_);
  faults_[path] = {std::move(response), times};
}

void FaultHttpServer::ClearFaults() {
  absl::MutexLock lock(&mu_);
  faults_.clear();
}

int FaultHttpServer::RequestCount(const std::string& path) {
  absl::MutexLock lock(&mu_);
  return counts_[path];
}

FaultHttpServer::Response FaultHttpServer::Choose(const std::string& path) {
  absl::MutexLock lock(&mu_);
  ++counts_[path];
  auto it = faults_.find(path);
  if (it == faults_.end()) return Response();
  Response response = it->second.first;
  if (it->second.second > 0 && --it->second.second == 0) faults_.erase(it);
  return response;
}

void FaultHttpServer::Run() {
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, kPollMs) <= 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Serve(fd);
  }
}

void FaultHttpServer::Serve(int fd) {
  const std::string path = ReadRequestPath(fd, stop_);
  if (path.empty()) {
    close(fd);
    return;
  }
  Response response = Choose(path);
  if (response.fault == Fault::kReset) {
    linger hard{1, 0};  // close() then sends RST
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
    close(fd);
    return;
  }
  if (response.fault == Fault::kNeverAnswer) {
    char buffer[256];
    while (!stop_.load()) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, kPollMs) <= 0) continue;
      if (recv(fd, buffer, sizeof(buffer), 0) <= 0) break;  // client gone
    }
    close(fd);
    return;
  }
  std::string body = response.body;
  int status = response.status;
  if (status == 200 && body.empty() && response.fault != Fault::kEndlessBody) {
    std::ifstream file(root_ + "/" + path, std::ios::binary);
    if (file) {
      std::ostringstream contents;
      contents << file.rdbuf();
      body = contents.str();
    } else {
      status = 404;
      body = "not found\n";
    }
  }
  std::string head =
      absl::StrCat("HTTP/1.1 ", status, " ", ReasonPhrase(status), "\r\n");
  for (const auto& [name, value] : response.headers) {
    absl::StrAppend(&head, name, ": ", value, "\r\n");
  }
  if (response.fault != Fault::kEndlessBody) {
    absl::StrAppend(&head, "Content-Length: ", body.size(), "\r\n");
  }
  absl::StrAppend(&head, "Connection: close\r\n\r\n");
  if (!SendAll(fd, head.data(), head.size(), stop_)) {
    close(fd);
    return;
  }
  if (response.fault == Fault::kEndlessBody) {
    const std::string chunk(64 * 1024, 'x');
    while (SendAll(fd, chunk.data(), chunk.size(), stop_)) {
    }
  } else {
    const size_t to_send =
        response.fault == Fault::kTruncate ? body.size() / 2 : body.size();
    SendAll(fd, body.data(), to_send, stop_);
  }
  close(fd);
}

}  // namespace clearmatch::testing
