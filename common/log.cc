// Log lines: "2026-01-01T00:00:00.123Z INFO clearmatchd: message".
#include "common/log.h"

#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace clearmatch {
namespace {

void Write(absl::string_view level, absl::string_view message) {
  const std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                    absl::UTCTimeZone()),
                   " ", level, " clearmatchd: ", message, "\n");
  // One write per line keeps lines whole across threads.
  [[maybe_unused]] ssize_t written = ::write(2, line.data(), line.size());
}

}  // namespace

void LogInfo(absl::string_view message) { Write("INFO", message); }
void LogWarning(absl::string_view message) { Write("WARN", message); }

}  // namespace clearmatch
