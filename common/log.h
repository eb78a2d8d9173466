// Structured log lines of the daemon on stderr: one line per state change
// ("index swapped in", "feed synced", "limit hit"). Never media bytes, and
// never raw hashes at info level. In common/ because serving/ logs too.
//
//   LogInfo("index swapped in: version 7, 1204 entries");
//
// Thread-safe (one write(2) per line).
#ifndef CLEARMATCH_COMMON_LOG_H_
#define CLEARMATCH_COMMON_LOG_H_

#include "absl/strings/string_view.h"

namespace clearmatch {

void LogInfo(absl::string_view message);
void LogWarning(absl::string_view message);

}  // namespace clearmatch

#endif  // CLEARMATCH_COMMON_LOG_H_
