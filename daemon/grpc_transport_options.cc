// The config's transport limits as gRPC channel arguments.
#include "daemon/grpc_transport_options.h"

#include <grpc/grpc.h>
#include <grpcpp/resource_quota.h>

#include <algorithm>
#include <climits>
#include <cstdint>

namespace clearmatch {
namespace {

int ToIntArg(uint64_t value) {
  return static_cast<int>(std::min<uint64_t>(value, INT_MAX));
}

}  // namespace

void ApplyGrpcTransportOptions(const v1::Transport& transport,
                               grpc::ServerBuilder& builder) {
  // The builder takes its own reference to the quota.
  grpc::ResourceQuota quota("clearmatchd");
  quota.Resize(static_cast<size_t>(transport.memory_bytes()));
  quota.SetMaxThreads(ToIntArg(transport.max_threads()));
  builder.SetResourceQuota(quota);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             ToIntArg(transport.max_concurrent_streams()));
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      ToIntArg(transport.min_ping_interval_ms()));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, kMaxPingStrikes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             ToIntArg(transport.max_connection_idle_ms()));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             ToIntArg(transport.max_connection_age_ms()));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             ToIntArg(transport.max_connection_age_grace_ms()));
}

}  // namespace clearmatch
