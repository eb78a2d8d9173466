#include "common/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/scoped_fd.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

// Unlinks a temp file unless Release()d (after it was renamed).
class TempFileGuard {
 public:
  explicit TempFileGuard(std::string path) : path_(std::move(path)) {}
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  ~TempFileGuard() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

// Creates a new temp file beside `path` ("<path>.tmp.<pid>.<n>"), opened for
// writing with `mode`; O_EXCL, so a stale temp file is never reused.
absl::StatusOr<ScopedFd> CreateTempFile(const std::string& path, mode_t mode,
                                        std::string* temp) {
  static std::atomic<uint64_t> counter{0};
  constexpr int kAttempts = 100;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    *temp = absl::StrCat(path, ".tmp.", ::getpid(), ".", counter++);
    ScopedFd fd(
        ::open(temp->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (fd.valid()) return fd;
    if (errno != EEXIST) {
      return ErrnoStatus(errno, "creating a temp file for", path);
    }
  }
  return absl::AlreadyExistsError(absl::StrCat(
      "creating a temp file for ", path, ": ", kAttempts, " names taken"));
}

absl::Status WriteAll(int fd, absl::string_view content,
                      const std::string& path) {
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "writing", path);
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

absl::Status ErrnoStatus(int error_number, absl::string_view what,
                         absl::string_view path) {
  return absl::ErrnoToStatus(error_number, absl::StrCat(what, " ", path));
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             uint64_t max_bytes) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(errno, "opening", path);
  struct stat info;
  if (::fstat(fd.get(), &info) != 0) return ErrnoStatus(errno, "stat of", path);
  if (!S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not a regular file"));
  }
  const uint64_t size = static_cast<uint64_t>(info.st_size);
  if (size > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        path, " is ", size, " bytes, more than the limit of ", max_bytes));
  }
  std::string bytes(static_cast<size_t>(size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "reading", path);
    }
    if (n == 0) {
      return absl::UnavailableError(
          absl::StrCat(path, " shrank while being read"));
    }
    done += static_cast<size_t>(n);
  }
  return bytes;
}

namespace {

// WriteFileAtomically; with `exact_mode` the temp file is fchmod'ed to
// `mode`, so the umask does not apply.
absl::Status WriteAtomically(const std::string& path, absl::string_view content,
                             mode_t mode, bool exact_mode) {
  std::string temp;
  CM_ASSIGN_OR_RETURN(ScopedFd fd, CreateTempFile(path, mode, &temp));
  TempFileGuard guard(temp);
  if (exact_mode && ::fchmod(fd.get(), mode) != 0) {
    return ErrnoStatus(errno, "setting the permissions of", temp);
  }
  CM_RETURN_IF_ERROR(WriteAll(fd.get(), content, temp));
  if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "fsync of", temp);
  if (fd.Close() != 0) return ErrnoStatus(errno, "closing", temp);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return ErrnoStatus(errno, "renaming the temp file onto", path);
  }
  guard.Release();
  const std::string dir = DirectoryOf(path);
  ScopedFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) return ErrnoStatus(errno, "opening the directory", dir);
  if (::fsync(dir_fd.get()) != 0) {
    return ErrnoStatus(errno, "fsync of the directory", dir);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content, mode_t mode) {
  return WriteAtomically(path, content, mode, /*exact_mode=*/false);
}

absl::Status WritePrivateFileAtomically(const std::string& path,
                                        absl::string_view content) {
  return WriteAtomically(path, content, 0600, /*exact_mode=*/true);
}

absl::Status CreatePrivateDirectories(const std::string& path) {
  if (path.empty()) {
    return absl::FailedPreconditionError("cannot create a directory \"\"");
  }
  // The missing ones, innermost last.
  std::vector<std::filesystem::path> missing;
  std::error_code error;
  for (std::filesystem::path p = std::filesystem::path(path).lexically_normal();
       !p.empty() && !std::filesystem::exists(p, error); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0) {
      if (errno == EEXIST) continue;  // made meanwhile, by someone else
      return absl::FailedPreconditionError(
          absl::StrCat("cannot create directory \"", it->string(),
                       "\": ", std::strerror(errno)));
    }
    if (::chmod(it->c_str(), 0700) != 0) {  // the umask applied to mkdir
      return absl::FailedPreconditionError(
          absl::StrCat("cannot set the permissions of \"", it->string(),
                       "\": ", std::strerror(errno)));
    }
  }
  if (!std::filesystem::is_directory(path, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat("\"", path, "\" is not a directory"));
  }
  return absl::OkStatus();
}

}  // namespace clearmatch
