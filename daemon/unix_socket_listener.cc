// The unix socket: bind, accept with the caller's uid, hand over to gRPC.
#include "daemon/unix_socket_listener.h"

#include <errno.h>
#include <fcntl.h>
#include <grpcpp/server_posix.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log.h"

namespace clearmatch {
namespace {

constexpr mode_t kSocketMode = 0660;

absl::StatusOr<sockaddr_un> AddressOf(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unix_socket: \"", path, "\" is ", path.size(),
        " bytes; a unix socket path has 1 to ", sizeof(address.sun_path) - 1));
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

// Removes a socket file that nobody listens on any more; refuses any other
// file, and a socket that a running process (another clearmatchd) serves.
absl::Status RemoveStaleSocket(const std::string& path,
                               const sockaddr_un& address) {
  struct stat status {};
  if (lstat(path.c_str(), &status) != 0) return absl::OkStatus();
  if (!S_ISSOCK(status.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("unix_socket: \"", path, "\" exists and is not a socket"));
  }
  const int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool live =
      probe >= 0 && connect(probe, reinterpret_cast<const sockaddr*>(&address),
                            sizeof(address)) == 0;
  if (probe >= 0) close(probe);
  if (live) {
    return absl::FailedPreconditionError(absl::StrCat(
        "unix_socket: \"", path,
        "\" is served by a running process (another clearmatchd?)"));
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return absl::UnavailableError(
        absl::StrCat("unix_socket: cannot remove the stale socket \"", path,
                     "\": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// A listening socket at `address`, its file kSocketMode. The mode is set on
// the socket before bind (Linux creates the file with it, less the umask:
// never wider) and again after bind (exactly 0660).
absl::StatusOr<int> BindAndListen(const std::string& path,
                                  const sockaddr_un& address) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat(
        "unix_socket: cannot make a socket: ", std::strerror(errno)));
  }
  if (fchmod(fd, kSocketMode) != 0 ||
      bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) !=
          0 ||
      chmod(path.c_str(), kSocketMode) != 0 || listen(fd, SOMAXCONN) != 0) {
    const int error = errno;
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("unix_socket: cannot listen on \"", path,
                     "\": ", std::strerror(error)));
  }
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<UnixSocketListener>> UnixSocketListener::Create(
    const std::string& path) {
  absl::StatusOr<sockaddr_un> address = AddressOf(path);
  if (!address.ok()) return address.status();
  if (absl::Status s = RemoveStaleSocket(path, *address); !s.ok()) return s;
  absl::StatusOr<int> fd = BindAndListen(path, *address);
  if (!fd.ok()) return fd.status();
  int wake[2];
  if (pipe2(wake, O_CLOEXEC) != 0) {
    close(*fd);
    unlink(path.c_str());
    return absl::UnavailableError("unix_socket: cannot make a pipe");
  }
  return std::unique_ptr<UnixSocketListener>(
      new UnixSocketListener(path, *fd, wake[0], wake[1]));
}

UnixSocketListener::UnixSocketListener(std::string path, int fd, int wake_read,
                                       int wake_write)
    : path_(std::move(path)),
      fd_(fd),
      wake_read_(wake_read),
      wake_write_(wake_write) {}

UnixSocketListener::~UnixSocketListener() {
  Stop();
  close(wake_read_);
  close(wake_write_);
}

void UnixSocketListener::Start(grpc::Server& server) {
  accept_thread_ = std::thread([this, &server] { AcceptLoop(&server); });
}

void UnixSocketListener::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  const char byte = 1;
  [[maybe_unused]] const ssize_t n = write(wake_write_, &byte, 1);
  if (accept_thread_.joinable()) accept_thread_.join();
  close(fd_);
  unlink(path_.c_str());
}

void UnixSocketListener::AcceptLoop(grpc::Server* server) {
  while (true) {
    pollfd polled[2] = {{fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    if (poll(polled, 2, -1) < 0 && errno != EINTR) return;
    if (polled[1].revents != 0) return;
    if (polled[0].revents == 0) continue;
    const int fd = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
      Serve(*server, fd);
    } else if (errno == EMFILE || errno == ENFILE || errno == ENOMEM ||
               errno == ENOBUFS) {
      // Out of descriptors or memory: back off instead of spinning.
      LogWarning(absl::StrCat("unix_socket: accept: ", std::strerror(errno)));
      poll(&polled[1], 1, 100);
    }
  }
}

void UnixSocketListener::Serve(grpc::Server& server, int fd) {
  ucred credentials{};
  socklen_t size = sizeof(credentials);
  struct stat status {};
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0 ||
      fstat(fd, &status) != 0) {
    LogWarning(absl::StrCat("unix_socket: cannot read a caller's credentials: ",
                            std::strerror(errno)));
    close(fd);
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    connections_[fd] = {static_cast<uint32_t>(credentials.uid), status.st_ino};
  }
  grpc::AddInsecureChannelFromFd(&server, fd);
}

std::optional<uint32_t> UnixSocketListener::UidOf(
    absl::string_view grpc_peer) const {
  int fd = -1;
  if (!absl::ConsumePrefix(&grpc_peer, "fd:") ||
      !absl::SimpleAtoi(grpc_peer, &fd)) {
    return std::nullopt;
  }
  absl::MutexLock lock(&mu_);
  auto it = connections_.find(fd);
  if (it == connections_.end()) return std::nullopt;
  struct stat status {};
  if (fstat(fd, &status) != 0 || !S_ISSOCK(status.st_mode) ||
      status.st_ino != it->second.inode) {
    return std::nullopt;
  }
  return it->second.uid;
}

}  // namespace clearmatch
