// The gRPC transport limits of DaemonConfig (`transport`) and the limits of
// CheckStream and CheckUpload in `limits` (max_stream_outgoing,
// upload_timeout_ms, upload_min_bytes_per_second): defaults and checks.
// daemon_config.cc calls these.
//
// Pure functions; thread-safe.
#ifndef CLEARMATCH_CONFIG_TRANSPORT_CONFIG_H_
#define CLEARMATCH_CONFIG_TRANSPORT_CONFIG_H_

#include "absl/status/status.h"
#include "clearmatch/v1/config.pb.h"

namespace clearmatch {

// Safe defaults where unset (docs/DAEMON.md, "Transport limits").
void ApplyTransportDefaults(v1::DaemonConfig* config);

// INVALID_ARGUMENT naming the key and the allowed range
// ("transport.max_concurrent_streams: 0 is outside 1..100000").
absl::Status ValidateTransport(const v1::DaemonConfig& config);

}  // namespace clearmatch

#endif  // CLEARMATCH_CONFIG_TRANSPORT_CONFIG_H_
