// Loading and validating clearmatchd's configuration (DaemonConfig in
// proto/clearmatch/v1/config.proto, written in protobuf text format).
//
//   CM_ASSIGN_OR_RETURN(v1::DaemonConfig config, LoadDaemonConfigFile(path));
//   ... flags override fields ...
//   ApplyDaemonConfigDefaults(&config);
//   CM_RETURN_IF_ERROR(ValidateDaemonConfig(config));
//
// Every error names the bad key ("limits.workers", "banks[2].policy...").
// Pure functions; thread-safe.
#ifndef CLEARMATCH_CONFIG_DAEMON_CONFIG_H_
#define CLEARMATCH_CONFIG_DAEMON_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/config.pb.h"

namespace clearmatch {

inline constexpr char kDefaultListen[] = "127.0.0.1:50051";
inline constexpr char kDefaultDataDir[] = "./var/clearmatch";
inline constexpr char kDefaultMetricsListen[] = "127.0.0.1:9464";
// metrics_listen value that turns the metrics/health HTTP endpoint off.
inline constexpr char kMetricsOff[] = "off";
// web_listen off (the default): no web page.
inline constexpr char kWebOff[] = "off";
// The unix socket's file in data_dir when unix_socket is not set, and the
// unix_socket value that turns it off.
inline constexpr char kDefaultUnixSocketName[] = "clearmatchd.sock";
inline constexpr char kUnixSocketOff[] = "off";

// Parses text-format `text`. INVALID_ARGUMENT with "<origin>:line:column:"
// and protobuf's message (which names an unknown or mistyped key).
absl::StatusOr<v1::DaemonConfig> ParseDaemonConfig(absl::string_view text,
                                                   absl::string_view origin);

// Reads and parses `path` (at most 1 MiB); relative file paths inside
// (keys, CSVs, TLS files) are made relative to the file's directory.
absl::StatusOr<v1::DaemonConfig> LoadDaemonConfigFile(const std::string& path);

// Fills every unset common field with its documented default.
void ApplyDaemonConfigDefaults(v1::DaemonConfig* config);

// INVALID_ARGUMENT naming the first bad key and its value.
absl::Status ValidateDaemonConfig(const v1::DaemonConfig& config);

// "127.0.0.1:50051", "[::1]:1", "localhost:80" and "unix:..." are loopback.
bool IsLoopbackAddress(absl::string_view address);

}  // namespace clearmatch

#endif  // CLEARMATCH_CONFIG_DAEMON_CONFIG_H_
