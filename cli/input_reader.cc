#include "cli/input_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace clearmatch::cli {
namespace {

struct FileCloser {
  void operator()(FILE* file) const {
    if (file != stdin) std::fclose(file);
  }
};

absl::Status OpenError(const std::string& path, int error) {
  const std::string message =
      absl::StrCat("cannot open ", path, ": ", std::strerror(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  if (error == EACCES) return absl::PermissionDeniedError(message);
  return absl::InvalidArgumentError(message);
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> ReadInput(const std::string& path,
                                               int64_t max_bytes) {
  std::unique_ptr<FILE, FileCloser> file(
      path == "-" ? stdin : std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return OpenError(path, errno);
  struct stat info;
  if (fstat(fileno(file.get()), &info) == 0 && S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is a directory"));
  }
  std::vector<uint8_t> bytes;
  if (S_ISREG(info.st_mode)) {
    if (info.st_size > max_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          path, " is ", info.st_size, " bytes, over the limit of ", max_bytes));
    }
    bytes.reserve(static_cast<size_t>(info.st_size));
  }
  uint8_t buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) {
    if (static_cast<int64_t>(bytes.size() + n) > max_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat(path, " is over the limit of ", max_bytes, " bytes"));
    }
    bytes.insert(bytes.end(), buffer, buffer + n);
  }
  if (std::ferror(file.get())) {
    return absl::DataLossError(
        absl::StrCat("error reading ", path, ": ", std::strerror(errno)));
  }
  return bytes;
}

}  // namespace clearmatch::cli
