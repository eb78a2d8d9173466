#include "config/clearinghouse_config.h"

#include <string>

#include "config/daemon_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<v1::DaemonConfig> Load(const std::string& text) {
  absl::StatusOr<v1::DaemonConfig> config = ParseDaemonConfig(text, "c");
  if (!config.ok()) return config.status();
  ApplyDaemonConfigDefaults(&*config);
  if (absl::Status s = ValidateDaemonConfig(*config); !s.ok()) return s;
  return config;
}

TEST(ClearinghouseConfigTest, DefaultsForNamesUrlAndFeedback) {
  absl::StatusOr<v1::DaemonConfig> config = Load(R"(
    ncmec_sources { base_url: "https://exttest.cybertip.org/hashsharing"
                    credentials_file: "/etc/clearmatch/ncmec" }
    stopncii_sources { credentials_file: "/etc/clearmatch/stopncii" })");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->ncmec_sources(0).name(), "ncmec");
  EXPECT_TRUE(config->ncmec_sources(0).feedback());
  EXPECT_EQ(config->stopncii_sources(0).name(), "stopncii");
  EXPECT_EQ(config->stopncii_sources(0).base_url(),
            "https://api.stopncii.org/v1");
  EXPECT_TRUE(config->stopncii_sources(0).feedback());
}

TEST(ClearinghouseConfigTest, FeedbackCanBeTurnedOff) {
  absl::StatusOr<v1::DaemonConfig> config = Load(R"(
    stopncii_sources { credentials_file: "k" feedback: false })");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->stopncii_sources(0).feedback());
}

TEST(ClearinghouseConfigTest, BadSourcesNameTheirKey) {
  const std::pair<const char*, const char*> cases[] = {
      {R"(ncmec_sources { credentials_file: "k" })",
       "ncmec_sources[0].base_url"},
      {R"(ncmec_sources { base_url: "https://h/x" })",
       "ncmec_sources[0].credentials_file"},
      {R"(ncmec_sources { base_url: "http://example.org/x"
                          credentials_file: "k" })",
       "not loopback"},
      {R"(ncmec_sources { base_url: "ftp://h/x" credentials_file: "k" })",
       "not an https:// URL"},
      {R"(ncmec_sources { base_url: "https://u:p@h/x" credentials_file: "k" })",
       "no user info"},
      {R"(stopncii_sources { base_url: "http://127.0.0.1:9/v1"
                             ca_file: "ca.pem" credentials_file: "k" })",
       "stopncii_sources[0].ca_file"},
      {R"(stopncii_sources { credentials_file: "k"
                             start_time_unix_seconds: -1 })",
       "start_time_unix_seconds"},
      {R"(stopncii_sources { credentials_file: "k" }
          stopncii_sources { credentials_file: "k2" })",
       "stopncii_sources[1].name"},
      {R"(ncmec_sources { name: "x" base_url: "https://h" credentials_file: "k" }
          stopncii_sources { name: "x" credentials_file: "k" })",
       "must be unique"},
      {R"(bank_csvs { path: "b.csv" bank: "ncmec" }
          ncmec_sources { base_url: "https://h" credentials_file: "k" })",
       "another source or bank"},
  };
  for (const auto& [text, expected] : cases) {
    absl::StatusOr<v1::DaemonConfig> config = Load(text);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(config.status().message(), HasSubstr(expected)) << text;
  }
}

TEST(ClearinghouseConfigTest, HttpOnlyOnLoopbackHosts) {
  EXPECT_TRUE(IsLoopbackUrl("http://127.0.0.1:8080/hashsharing"));
  EXPECT_TRUE(IsLoopbackUrl("http://localhost/v1"));
  EXPECT_TRUE(IsLoopbackUrl("http://[::1]:80/v1"));
  EXPECT_TRUE(IsLoopbackUrl("http://[::1]/v1"));
  EXPECT_FALSE(IsLoopbackUrl("http://127.example.com/v1"));
  EXPECT_FALSE(IsLoopbackUrl("http://10.0.0.1/v1"));
  EXPECT_FALSE(IsLoopbackUrl("http://127.0.0.1@evil.example/v1"));
  EXPECT_FALSE(IsLoopbackUrl("127.0.0.1:80"));
}

TEST(ClearinghouseConfigTest, PathsAreRelativeToTheConfigFile) {
  v1::DaemonConfig config;
  config.add_ncmec_sources()->set_credentials_file("ncmec.credentials");
  config.add_stopncii_sources()->set_ca_file("/abs/ca.pem");
  MakeClearinghousePathsRelativeTo("/etc/clearmatch", &config);
  EXPECT_EQ(config.ncmec_sources(0).credentials_file(),
            "/etc/clearmatch/ncmec.credentials");
  EXPECT_EQ(config.stopncii_sources(0).ca_file(), "/abs/ca.pem");
}

}  // namespace
}  // namespace clearmatch
