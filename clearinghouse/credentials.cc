// Credentials files: permission checks and the two formats.
#include "clearinghouse/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/scoped_fd.h"

namespace clearmatch {
namespace {

absl::Status Refused(const std::string& path, absl::string_view why) {
  return absl::FailedPreconditionError(
      absl::StrCat("credentials file ", path, ": ", why));
}

// A line that holds something: not blank, not a '#' comment.
struct ContentLine {
  int number = 0;          // 1-based
  absl::string_view text;  // without line end and surrounding spaces
};

std::vector<ContentLine> ContentLines(absl::string_view text) {
  std::vector<ContentLine> lines;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);  // also the '\r' of CRLF
    if (line.empty() || line[0] == '#') continue;
    lines.push_back({number, line});
  }
  return lines;
}

}  // namespace

absl::StatusOr<std::string> ReadCredentialsFile(const std::string& path) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    return Refused(path, absl::StrCat("cannot open: ", std::strerror(errno)));
  }
  struct stat info;
  if (::fstat(fd.get(), &info) != 0) {
    return Refused(path, absl::StrCat("cannot stat: ", std::strerror(errno)));
  }
  if (!S_ISREG(info.st_mode)) return Refused(path, "not a regular file");
  if ((info.st_mode & 077) != 0) {
    const unsigned mode = info.st_mode & 0777;
    return Refused(path, absl::StrCat("accessible by group or others (mode 0",
                                      (mode >> 6) & 7, (mode >> 3) & 7,
                                      mode & 7, "): chmod 600 it"));
  }
  if (info.st_size > kMaxCredentialsFileBytes) {
    return Refused(path,
                   absl::StrCat("over ", kMaxCredentialsFileBytes, " bytes"));
  }
  std::string content;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Refused(path, absl::StrCat("cannot read: ", std::strerror(errno)));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (static_cast<int64_t>(content.size()) > kMaxCredentialsFileBytes) {
      return Refused(path,
                     absl::StrCat("over ", kMaxCredentialsFileBytes, " bytes"));
    }
  }
  return content;
}

absl::StatusOr<NcmecCredentials> ParseNcmecCredentials(absl::string_view text) {
  const std::vector<ContentLine> lines = ContentLines(text);
  if (lines.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("NCMEC credentials: expected one line username:password, "
                     "found ",
                     lines.size(), " lines"));
  }
  const ContentLine& line = lines[0];
  const size_t colon = line.text.find(':');
  if (colon == absl::string_view::npos || colon == 0 ||
      colon + 1 == line.text.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("NCMEC credentials: line ", line.number,
                     " is not username:password (both non-empty)"));
  }
  return NcmecCredentials{std::string(line.text.substr(0, colon)),
                          std::string(line.text.substr(colon + 1))};
}

absl::StatusOr<StopNciiCredentials> ParseStopNciiCredentials(
    absl::string_view text) {
  StopNciiCredentials credentials;
  const std::map<absl::string_view, std::string*> fields = {
      {"subscription_key", &credentials.subscription_key},
      {"fetch_hashes_key", &credentials.fetch_hashes_key},
      {"submit_feedback_key", &credentials.submit_feedback_key}};
  for (const ContentLine& line : ContentLines(text)) {
    const size_t equals = line.text.find('=');
    if (equals == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "StopNCII credentials: line ", line.number, " is not KEY=VALUE"));
    }
    const absl::string_view key =
        absl::StripAsciiWhitespace(line.text.substr(0, equals));
    const absl::string_view value =
        absl::StripAsciiWhitespace(line.text.substr(equals + 1));
    auto field = fields.find(key);
    if (field == fields.end()) {
      // The key may be a value pasted in the wrong place: not repeated.
      return absl::InvalidArgumentError(absl::StrCat(
          "StopNCII credentials: line ", line.number,
          " has an unknown key (expected ",
          "subscription_key, fetch_hashes_key, submit_feedback_key)"));
    }
    if (value.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "StopNCII credentials: line ", line.number, ": ", key, " is empty"));
    }
    if (!field->second->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("StopNCII credentials: line ", line.number, ": ", key,
                       " is given twice"));
    }
    *field->second = std::string(value);
  }
  std::vector<absl::string_view> missing;
  for (const auto& [key, value] : fields) {
    if (value->empty()) missing.push_back(key);
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "StopNCII credentials: missing ", absl::StrJoin(missing, ", ")));
  }
  return credentials;
}

}  // namespace clearmatch
