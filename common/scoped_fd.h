// ScopedFd: owns a POSIX file descriptor from the line it is opened.
//
//   ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
//   if (!fd.valid()) return ErrnoStatus(errno, "opening", path);
//   ... ::read(fd.get(), ...) ...
//   if (fd.Close() != 0) ...  // close() can report delayed write errors
#ifndef CLEARMATCH_COMMON_SCOPED_FD_H_
#define CLEARMATCH_COMMON_SCOPED_FD_H_

#include <unistd.h>

#include <utility>

namespace clearmatch {

// Move-only; not thread-safe (one owner).
class ScopedFd {
 public:
  ScopedFd() = default;
  // Takes ownership of `fd` (a negative value holds nothing).
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(other.Release()) {}
  ScopedFd& operator=(ScopedFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.Release();
    }
    return *this;
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  // Closes now and returns close()'s result (0, or -1 with errno set); 0 if
  // nothing was held.
  int Close() {
    if (fd_ < 0) return 0;
    return ::close(std::exchange(fd_, -1));
  }

  // Gives up ownership without closing.
  int Release() { return std::exchange(fd_, -1); }

 private:
  void Reset() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

  int fd_ = -1;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_COMMON_SCOPED_FD_H_
