// Credentials of the clearinghouse sources, read from files the operator
// controls: the file must be a regular file that only its owner can read
// (mode 0600 or stricter). Nothing of a file's content ever appears in an
// error message or a log line; messages name the path and the line number.
//
//   CM_ASSIGN_OR_RETURN(std::string text, ReadCredentialsFile(path));
//   CM_ASSIGN_OR_RETURN(NcmecCredentials ncmec, ParseNcmecCredentials(text));
//
// Thread-safe (no state).
#ifndef CLEARMATCH_CLEARINGHOUSE_CREDENTIALS_H_
#define CLEARMATCH_CLEARINGHOUSE_CREDENTIALS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clearmatch {

// Most bytes in a credentials file.
inline constexpr int64_t kMaxCredentialsFileBytes = 64 << 10;

// The whole file at `path`. FAILED_PRECONDITION if it is missing, not a
// regular file, group- or world-accessible (mode & 077 != 0: "chmod 600
// it") or over kMaxCredentialsFileBytes. The message names the path, never
// the content.
absl::StatusOr<std::string> ReadCredentialsFile(const std::string& path);

struct NcmecCredentials {
  std::string username, password;
};

// One line "username:password" (split at the first ':'; the password may
// hold more). Blank lines, '#' comment lines, CRLF line ends and spaces
// around the line are ignored. INVALID_ARGUMENT if there is not exactly one
// such line or either part is empty.
absl::StatusOr<NcmecCredentials> ParseNcmecCredentials(absl::string_view text);

struct StopNciiCredentials {
  std::string subscription_key, fetch_hashes_key, submit_feedback_key;
};

// KEY=VALUE lines with the keys subscription_key, fetch_hashes_key and
// submit_feedback_key (spaces around key and value ignored). Blank lines,
// '#' comment lines and CRLF line ends are ignored. INVALID_ARGUMENT naming
// the missing, unknown or repeated key, or the line number of a line
// without '=' or with an empty value.
absl::StatusOr<StopNciiCredentials> ParseStopNciiCredentials(
    absl::string_view text);

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_CREDENTIALS_H_
