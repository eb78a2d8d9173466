// ApplyGrpcTransportOptions: the gRPC transport limits of the config
// (`transport`) on a ServerBuilder: a ResourceQuota (memory for every
// connection's buffers, threads), concurrent streams per connection,
// keepalive enforcement (a client pinging more often than
// min_ping_interval_ms, or pinging with no call open, is disconnected after
// kMaxPingStrikes strikes), and the idle and age limits of connections.
//
//   grpc::ServerBuilder builder;
//   ApplyGrpcTransportOptions(config.transport(), builder);
//
// A pure function of its arguments; thread-safe.
#ifndef CLEARMATCH_DAEMON_GRPC_TRANSPORT_OPTIONS_H_
#define CLEARMATCH_DAEMON_GRPC_TRANSPORT_OPTIONS_H_

#include <grpcpp/server_builder.h>

#include "clearmatch/v1/config.pb.h"

namespace clearmatch {

// Pings received too early before a connection is closed
// (GOAWAY ENHANCE_YOUR_CALM "too_many_pings").
inline constexpr int kMaxPingStrikes = 2;

// `transport` must have its defaults applied (ApplyTransportDefaults).
void ApplyGrpcTransportOptions(const v1::Transport& transport,
                               grpc::ServerBuilder& builder);

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_GRPC_TRANSPORT_OPTIONS_H_
