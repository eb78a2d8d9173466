// The daemons a rescan spreads its items over: `--addr` of `clearmatch
// rescan` is one address, a comma-separated list of them, or
// "dns:///NAME:PORT", every address NAME resolves to (a Kubernetes headless
// Service lists one per ready pod). Each target gets a CheckStream of its
// own; TLS checks each daemon's certificate against the name given, not
// the resolved IP.
//
//   CM_ASSIGN_OR_RETURN(std::vector<DaemonChannelFlags> targets,
//                       ResolveRescanTargets(flags));
//
// Names are resolved once, at start. Thread-safe (getaddrinfo).
#ifndef CLEARMATCH_CLI_RESCAN_TARGETS_H_
#define CLEARMATCH_CLI_RESCAN_TARGETS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "cli/daemon_channel.h"

namespace clearmatch::cli {

// Most daemons one rescan talks to.
inline constexpr int kMaxRescanTargets = 256;

// `flags` once per address of flags.addr (the TLS flags copied). Errors
// (INVALID_ARGUMENT naming the address): an empty item in a list, a
// duplicate, over kMaxRescanTargets, a dns:/// name without a port or that
// does not resolve (UNAVAILABLE, with the resolver's message).
absl::StatusOr<std::vector<DaemonChannelFlags>> ResolveRescanTargets(
    const DaemonChannelFlags& flags);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_RESCAN_TARGETS_H_
