// Defaults and checks of the transport limits.
#include "config/transport_config.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

// gRPC's integer channel arguments are ints.
constexpr uint64_t kMaxMillis = INT32_MAX;

absl::Status CheckRange(absl::string_view key, uint64_t value, uint64_t low,
                        uint64_t high) {
  if (value < low || value > high) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": ", value, " is outside ", low, "..", high));
  }
  return absl::OkStatus();
}

}  // namespace

void ApplyTransportDefaults(v1::DaemonConfig* config) {
  v1::Transport* t = config->mutable_transport();
  if (!t->has_memory_bytes()) t->set_memory_bytes(uint64_t{1} << 30);
  if (!t->has_max_threads()) t->set_max_threads(64);
  if (!t->has_max_concurrent_streams()) t->set_max_concurrent_streams(100);
  if (!t->has_min_ping_interval_ms()) t->set_min_ping_interval_ms(10000);
  if (!t->has_max_connection_idle_ms()) {
    t->set_max_connection_idle_ms(600000);
  }
  if (!t->has_max_connection_age_ms()) t->set_max_connection_age_ms(3600000);
  if (!t->has_max_connection_age_grace_ms()) {
    t->set_max_connection_age_grace_ms(600000);
  }
  v1::Limits* limits = config->mutable_limits();
  if (!limits->has_max_stream_outgoing()) limits->set_max_stream_outgoing(64);
  if (!limits->has_upload_timeout_ms()) limits->set_upload_timeout_ms(120000);
  if (!limits->has_upload_min_bytes_per_second()) {
    limits->set_upload_min_bytes_per_second(65536);
  }
}

absl::Status ValidateTransport(const v1::DaemonConfig& config) {
  const v1::Transport& t = config.transport();
  CM_RETURN_IF_ERROR(CheckRange("transport.memory_bytes", t.memory_bytes(),
                                uint64_t{16} << 20, uint64_t{1} << 40));
  CM_RETURN_IF_ERROR(
      CheckRange("transport.max_threads", t.max_threads(), 2, 4096));
  CM_RETURN_IF_ERROR(CheckRange("transport.max_concurrent_streams",
                                t.max_concurrent_streams(), 1, 100000));
  CM_RETURN_IF_ERROR(CheckRange("transport.min_ping_interval_ms",
                                t.min_ping_interval_ms(), 1000, kMaxMillis));
  CM_RETURN_IF_ERROR(CheckRange("transport.max_connection_idle_ms",
                                t.max_connection_idle_ms(), 1000, kMaxMillis));
  CM_RETURN_IF_ERROR(CheckRange("transport.max_connection_age_ms",
                                t.max_connection_age_ms(), 1000, kMaxMillis));
  CM_RETURN_IF_ERROR(CheckRange("transport.max_connection_age_grace_ms",
                                t.max_connection_age_grace_ms(), 0,
                                kMaxMillis));
  const v1::Limits& limits = config.limits();
  CM_RETURN_IF_ERROR(CheckRange("limits.max_stream_outgoing",
                                limits.max_stream_outgoing(), 1, 100000));
  CM_RETURN_IF_ERROR(CheckRange("limits.upload_timeout_ms",
                                limits.upload_timeout_ms(), 1000, 86400000));
  // 0 turns the rate check off; 1 GiB/s is beyond any real client.
  return CheckRange("limits.upload_min_bytes_per_second",
                    limits.upload_min_bytes_per_second(), 0, uint64_t{1} << 30);
}

}  // namespace clearmatch
