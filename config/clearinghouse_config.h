// The clearinghouse sources of DaemonConfig (ncmec_sources,
// stopncii_sources): defaults, paths relative to the config file, checks.
// daemon_config.cc calls these; they are public for the CLI's
// `clearmatch source check`, which reads the same config.
//
// Pure functions; thread-safe.
#ifndef CLEARMATCH_CONFIG_CLEARINGHOUSE_CONFIG_H_
#define CLEARMATCH_CONFIG_CLEARINGHOUSE_CONFIG_H_

#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/config.pb.h"

namespace clearmatch {

inline constexpr char kDefaultNcmecSourceName[] = "ncmec";
inline constexpr char kDefaultStopNciiSourceName[] = "stopncii";
inline constexpr char kDefaultStopNciiBaseUrl[] = "https://api.stopncii.org/v1";

// Names, the StopNCII base URL and feedback: true where unset.
void ApplyClearinghouseDefaults(v1::DaemonConfig* config);

// credentials_file and ca_file made relative to `dir` (the config file's).
void MakeClearinghousePathsRelativeTo(const std::filesystem::path& dir,
                                      v1::DaemonConfig* config);

// INVALID_ARGUMENT naming the key ("ncmec_sources[0].base_url: ..."): a
// missing base URL or credentials file, http:// on a host that is not
// loopback, a CA for an http:// URL, a negative start time, a name used
// twice (among all sources and bank CSVs' banks) or not a valid bank name.
absl::Status ValidateClearinghouseSources(const v1::DaemonConfig& config);

// Whether `url` is http(s):// with a loopback host (127.0.0.0/8, ::1,
// localhost).
bool IsLoopbackUrl(absl::string_view url);

}  // namespace clearmatch

#endif  // CLEARMATCH_CONFIG_CLEARINGHOUSE_CONFIG_H_
