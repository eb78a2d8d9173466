// Reads feed files from a directory, refusing oversized files before reading.
#include "feed/file_feed_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "feed/feed_format.h"

namespace clearmatch {
namespace {

// Closes a file descriptor when it goes out of scope.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::string> FileFeedSource::Fetch(absl::string_view path,
                                                  int64_t max_bytes) {
  if (absl::Status s = ValidateFeedPath(path); !s.ok()) return s;
  const std::string full = absl::StrCat(root_, "/", path);
  ScopedFd fd(open(full.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    const std::string message =
        absl::StrCat("cannot open ", full, ": ", std::strerror(error));
    return error == ENOENT ? absl::NotFoundError(message)
                           : absl::UnavailableError(message);
  }
  struct stat info;
  if (fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(full, " is not a regular file"));
  }
  if (info.st_size > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(full, " is ", info.st_size,
                     " bytes, more than the limit of ", max_bytes));
  }
  std::string bytes(static_cast<size_t>(info.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot read ", full, ": ", std::strerror(errno)));
    }
    if (n == 0) {
      return absl::UnavailableError(
          absl::StrCat(full, " shrank while being read"));
    }
    done += static_cast<size_t>(n);
  }
  return bytes;
}

}  // namespace clearmatch
