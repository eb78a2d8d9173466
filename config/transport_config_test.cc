#include "config/transport_config.h"

#include <string>
#include <utility>

#include "config/daemon_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<v1::DaemonConfig> Load(const std::string& text) {
  absl::StatusOr<v1::DaemonConfig> config = ParseDaemonConfig(text, "c");
  if (config.ok()) ApplyDaemonConfigDefaults(&*config);
  return config;
}

TEST(TransportConfigTest, EmptyConfigGetsSafeDefaults) {
  absl::StatusOr<v1::DaemonConfig> config = Load("");
  ASSERT_TRUE(config.ok()) << config.status();
  const v1::Transport& t = config->transport();
  EXPECT_EQ(t.memory_bytes(), uint64_t{1} << 30);
  EXPECT_EQ(t.max_threads(), 64u);
  EXPECT_EQ(t.max_concurrent_streams(), 100u);
  EXPECT_EQ(t.min_ping_interval_ms(), 10000u);
  EXPECT_EQ(t.max_connection_idle_ms(), 600000u);
  EXPECT_EQ(t.max_connection_age_ms(), 3600000u);
  EXPECT_EQ(t.max_connection_age_grace_ms(), 600000u);
  EXPECT_EQ(config->limits().max_stream_outgoing(), 64u);
  EXPECT_EQ(config->limits().upload_timeout_ms(), 120000u);
  EXPECT_EQ(config->limits().upload_min_bytes_per_second(), 65536u);
  EXPECT_TRUE(ValidateDaemonConfig(*config).ok());
}

TEST(TransportConfigTest, SetValuesAreKept) {
  absl::StatusOr<v1::DaemonConfig> config = Load(
      "transport { max_concurrent_streams: 7 max_connection_age_grace_ms:"
      " 0 } limits { upload_min_bytes_per_second: 0 }");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->transport().max_concurrent_streams(), 7u);
  EXPECT_EQ(config->transport().max_connection_age_grace_ms(), 0u);
  EXPECT_EQ(config->limits().upload_min_bytes_per_second(), 0u);
  EXPECT_TRUE(ValidateDaemonConfig(*config).ok());
}

TEST(TransportConfigTest, EachBadValueNamesItsKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"transport { memory_bytes: 1000 }", "transport.memory_bytes"},
      {"transport { max_threads: 1 }", "transport.max_threads"},
      {"transport { max_concurrent_streams: 0 }",
       "transport.max_concurrent_streams"},
      {"transport { min_ping_interval_ms: 10 }",
       "transport.min_ping_interval_ms"},
      {"transport { max_connection_idle_ms: 0 }",
       "transport.max_connection_idle_ms"},
      {"transport { max_connection_age_ms: 3000000000 }",
       "transport.max_connection_age_ms"},
      {"transport { max_connection_age_grace_ms: 3000000000 }",
       "transport.max_connection_age_grace_ms"},
      {"limits { max_stream_outgoing: 0 }", "limits.max_stream_outgoing"},
      {"limits { upload_timeout_ms: 10 }", "limits.upload_timeout_ms"},
      {"limits { upload_min_bytes_per_second: 2000000000 }",
       "limits.upload_min_bytes_per_second"},
  };
  for (const auto& [text, key] : cases) {
    absl::StatusOr<v1::DaemonConfig> config = Load(text);
    ASSERT_TRUE(config.ok()) << text << ": " << config.status();
    const absl::Status status = ValidateDaemonConfig(*config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(status.message(), HasSubstr(key)) << text;
    EXPECT_THAT(status.message(), HasSubstr(" is outside ")) << text;
  }
}

}  // namespace
}  // namespace clearmatch
