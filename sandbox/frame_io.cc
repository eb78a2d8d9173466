#include "sandbox/frame_io.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace clearmatch::sandbox {
namespace {

absl::Status WriteAll(int fd, const char* data, size_t size,
                      const FdWait& wait) {
  while (size > 0) {
    if (wait && !wait(fd, POLLOUT))
      return absl::AbortedError("gave up waiting");
    const ssize_t n =
        send(fd, data, size, MSG_NOSIGNAL | (wait ? MSG_DONTWAIT : 0));
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      return absl::UnavailableError("the peer closed the socket");
    }
    if (n <= 0) {
      return absl::InternalError(
          absl::StrCat("write to the socket failed: ", std::strerror(errno)));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status ReadAll(int fd, char* data, size_t size, const FdWait& wait) {
  while (size > 0) {
    if (wait && !wait(fd, POLLIN)) return absl::AbortedError("gave up waiting");
    const ssize_t n = recv(fd, data, size, wait ? MSG_DONTWAIT : 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (n < 0 && errno == ECONNRESET)) {
      return absl::UnavailableError("the peer closed the socket");
    }
    if (n < 0) {
      return absl::InternalError(
          absl::StrCat("read from the socket failed: ", std::strerror(errno)));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFrame(int fd, absl::string_view bytes, const FdWait& wait) {
  if (bytes.size() > UINT32_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("frame of ", bytes.size(), " bytes is over 4 GiB"));
  }
  const uint32_t size = static_cast<uint32_t>(bytes.size());
  const char header[4] = {static_cast<char>(size & 0xff),
                          static_cast<char>((size >> 8) & 0xff),
                          static_cast<char>((size >> 16) & 0xff),
                          static_cast<char>((size >> 24) & 0xff)};
  CM_RETURN_IF_ERROR(WriteAll(fd, header, sizeof(header), wait));
  return WriteAll(fd, bytes.data(), bytes.size(), wait);
}

absl::StatusOr<std::string> ReadFrame(int fd, uint32_t max_bytes,
                                      const FdWait& wait) {
  unsigned char header[4];
  CM_RETURN_IF_ERROR(
      ReadAll(fd, reinterpret_cast<char*>(header), sizeof(header), wait));
  const uint32_t size = uint32_t{header[0]} | uint32_t{header[1]} << 8 |
                        uint32_t{header[2]} << 16 | uint32_t{header[3]} << 24;
  if (size > max_bytes) {
    return absl::DataLossError(absl::StrCat(
        "frame of ", size, " bytes is over the limit of ", max_bytes));
  }
  std::string frame(size, '\0');
  CM_RETURN_IF_ERROR(ReadAll(fd, frame.data(), size, wait));
  return frame;
}

}  // namespace clearmatch::sandbox
