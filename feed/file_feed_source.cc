// Reads feed files from a directory, refusing oversized files before reading.
#include "feed/file_feed_source.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/file_io.h"
#include "feed/feed_format.h"

namespace clearmatch {

absl::StatusOr<std::string> FileFeedSource::Fetch(absl::string_view path,
                                                  int64_t max_bytes) {
  if (absl::Status s = ValidateFeedPath(path); !s.ok()) return s;
  if (max_bytes < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("negative fetch limit ", max_bytes));
  }
  const std::string full = absl::StrCat(root_, "/", path);
  absl::StatusOr<std::string> bytes =
      ReadFileToString(full, static_cast<uint64_t>(max_bytes));
  // A feed source reports I/O trouble as UNAVAILABLE (retried next sync);
  // a missing file, a limit and a non-file keep their own codes.
  if (!bytes.ok() && !absl::IsNotFound(bytes.status()) &&
      !absl::IsResourceExhausted(bytes.status()) &&
      !absl::IsFailedPrecondition(bytes.status())) {
    return absl::UnavailableError(bytes.status().message());
  }
  return bytes;
}

}  // namespace clearmatch
