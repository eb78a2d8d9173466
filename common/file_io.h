// Whole-file reads with a size limit and crash-safe whole-file writes.
//
//   CM_ASSIGN_OR_RETURN(std::string pem, ReadFileToString(path, 1 << 20));
//   CM_RETURN_IF_ERROR(WriteFileAtomically("/var/lib/cm/state", bytes));
//   CM_RETURN_IF_ERROR(CreatePrivateDirectories(data_dir));      // 0700
//   CM_RETURN_IF_ERROR(WritePrivateFileAtomically(path, bytes));  // 0600
//
// Errors name the path; errno values map through absl::ErrnoToStatus
// (ENOENT is NOT_FOUND, EACCES PERMISSION_DENIED, ENOSPC RESOURCE_EXHAUSTED).
// Thread-safe (no state); do not write one path from two threads at once.
#ifndef CLEARMATCH_COMMON_FILE_IO_H_
#define CLEARMATCH_COMMON_FILE_IO_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clearmatch {

// absl::ErrnoToStatus(error_number) with the message "<what> <path>: <error>",
// e.g. ErrnoStatus(errno, "opening", path).
absl::Status ErrnoStatus(int error_number, absl::string_view what,
                         absl::string_view path);

// The whole regular file at `path`. NOT_FOUND if it is missing;
// FAILED_PRECONDITION if it is not a regular file; RESOURCE_EXHAUSTED if it
// has more than max_bytes (checked before reading); UNAVAILABLE if it
// shrank while being read; other I/O errors from errno.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             uint64_t max_bytes);

// Replaces the file at `path` with `content` so that a crash leaves the old
// file or the new one, never a mix: writes a temp file in the same
// directory, fsyncs it, renames it over `path`, then fsyncs the directory.
// The directory must exist. A new file gets `mode` (less the umask). On
// failure the temp file is removed and `path` is untouched, unless only the
// final directory fsync failed (the new file is in place but may not
// survive a crash).
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content, mode_t mode = 0644);

// WriteFileAtomically for the daemon's data files: the file is exactly
// 0600 (owner read/write), whatever the umask, also when it replaces a
// file with other permissions.
absl::Status WritePrivateFileAtomically(const std::string& path,
                                        absl::string_view content);

// Creates `path` and its missing parents like mkdir -p, each directory it
// creates exactly 0700 (whatever the umask); existing ones are left as
// they are. FAILED_PRECONDITION naming the path if it cannot (or exists and
// is no directory).
absl::Status CreatePrivateDirectories(const std::string& path);

}  // namespace clearmatch

#endif  // CLEARMATCH_COMMON_FILE_IO_H_
