#include "config/daemon_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

absl::Status Validate(const std::string& text) {
  absl::StatusOr<v1::DaemonConfig> config = ParseDaemonConfig(text, "c");
  if (!config.ok()) return config.status();
  ApplyDaemonConfigDefaults(&*config);
  return ValidateDaemonConfig(*config);
}

TEST(DaemonConfigTest, EmptyConfigGetsLaptopDefaults) {
  absl::StatusOr<v1::DaemonConfig> config = ParseDaemonConfig("", "c");
  ASSERT_TRUE(config.ok());
  ApplyDaemonConfigDefaults(&*config);
  EXPECT_EQ(config->listen(), "127.0.0.1:50051");
  EXPECT_EQ(config->data_dir(), "./var/clearmatch");
  EXPECT_EQ(config->metrics_listen(), "127.0.0.1:9464");
  EXPECT_EQ(config->limits().workers(), 2u);
  EXPECT_EQ(config->sync_interval_seconds(), 300u);
  EXPECT_EQ(config->unix_socket(), "./var/clearmatch/clearmatchd.sock");
  EXPECT_EQ(config->unix_roles_size(), 0);
  EXPECT_TRUE(ValidateDaemonConfig(*config).ok());
}

TEST(DaemonConfigTest, UnixSocketDefaultsIntoTheDataDir) {
  absl::StatusOr<v1::DaemonConfig> config =
      ParseDaemonConfig("data_dir: \"/srv/cm\"", "c");
  ASSERT_TRUE(config.ok());
  ApplyDaemonConfigDefaults(&*config);
  EXPECT_EQ(config->unix_socket(), "/srv/cm/clearmatchd.sock");
  EXPECT_TRUE(Validate("unix_socket: \"off\"").ok());
  EXPECT_TRUE(Validate("unix_socket: \"/run/cm.sock\" unix_roles { uid: 7 "
                       "roles: \"reviewer\" name: \"ann\" }")
                  .ok());
}

// A test per bad value of unix_socket, unix_roles and tls.roles.
TEST(DaemonConfigTest, BadUnixSocketAndRoleValuesNameTheirKey) {
  const std::string mtls =
      "tls { cert_file: \"c\" key_file: \"k\" client_ca_file: \"ca\" ";
  const std::pair<std::string, const char*> cases[] = {
      {"unix_socket: \"/" + std::string(120, 'a') + "\"", "unix_socket"},
      {"unix_socket: \"unix:/run/cm.sock\"", "unix_socket"},
      {"unix_socket: \"off\" unix_roles { uid: 1 roles: \"admin\" }",
       "unix_roles"},
      {"unix_roles { uid: 1 roles: \"root\" }", "unix_roles[0].roles"},
      {"unix_roles { uid: 1 } unix_roles { uid: 1 }", "unix_roles[1].uid"},
      {mtls + "roles { common_name: \"a\" } roles { common_name: \"a\" } }",
       "tls.roles[1].common_name"},
  };
  for (const auto& [text, key] : cases) {
    const absl::Status status = Validate(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(status.message(), HasSubstr(key)) << text;
  }
}

TEST(DaemonConfigTest, UnknownKeyIsNamedWithItsPosition) {
  absl::Status status = Validate("listen: \"127.0.0.1:1\"\nworkerz: 3\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("c:2:"));
  EXPECT_THAT(status.message(), HasSubstr("workerz"));
}

TEST(DaemonConfigTest, BadValuesNameTheirKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"listen: \"nonsense\"", "listen"},
      {"listen: \"0.0.0.0:50051\"", "not a loopback"},
      {"metrics_listen: \"10.0.0.1:9464\"", "metrics_listen"},
      {"limits { workers: 0 }", "limits.workers"},
      {"limits { max_message_bytes: 10 }", "limits.max_message_bytes"},
      {"feeds { url: \"x\" }", "feeds[0]"},
      {"feeds { public_key_pem: \"k\" }", "feeds[0].url"},
      {"feeds { url: \"http://x/\" public_key_pem: \"k\" ca_file: \"c\" }",
       "feeds[0].ca_file"},
      {"bank_csvs { bank: \"b\" }", "bank_csvs[0].path"},
      {"tls { cert_file: \"c\" }", "tls"},
      {"tls { roles { common_name: \"a\" roles: \"admin\" } }", "tls.roles[0]"},
      {"default_policy { min_quality: 10 }", "default_policy.min_quality"},
  };
  for (const auto& [text, key] : cases) {
    const absl::Status status = Validate(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(status.message(), HasSubstr(key)) << text;
  }
}

TEST(DaemonConfigTest, ReviewDatabaseUrlIsEmptyOrPostgresAndNeverEchoed) {
  EXPECT_TRUE(Validate("").ok());
  EXPECT_TRUE(Validate("review_database_url: \"postgresql://db/review\"").ok());
  EXPECT_TRUE(Validate("review_database_url: \"postgres://db/review\"").ok());
  const absl::Status status =
      Validate("review_database_url: \"mysql://alice:s3cret@db/review\"");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("review_database_url"));
  EXPECT_THAT(status.message(), ::testing::Not(HasSubstr("s3cret")));
}

TEST(DaemonConfigTest, DecodeBudgetsHaveDefaultsAndRanges) {
  absl::StatusOr<v1::DaemonConfig> config = ParseDaemonConfig("", "c");
  ASSERT_TRUE(config.ok());
  ApplyDaemonConfigDefaults(&*config);
  EXPECT_EQ(config->limits().max_jpeg_scans(), 100u);
  EXPECT_EQ(config->limits().max_decoded_bytes(), uint64_t{512} << 20);
  EXPECT_TRUE(Validate("limits { max_jpeg_scans: 1 max_decoded_bytes: "
                       "1048576 }")
                  .ok());
  EXPECT_TRUE(Validate("limits { max_jpeg_scans: 10000 max_decoded_bytes: "
                       "68719476736 }")
                  .ok());
  const std::pair<const char*, const char*> bad[] = {
      {"limits { max_jpeg_scans: 0 }", "limits.max_jpeg_scans: 0 is outside"},
      {"limits { max_jpeg_scans: 10001 }", "limits.max_jpeg_scans: 10001"},
      {"limits { max_decoded_bytes: 0 }",
       "limits.max_decoded_bytes: 0 is outside"},
      {"limits { max_decoded_bytes: 1048575 }",
       "limits.max_decoded_bytes: 1048575"},
      {"limits { max_decoded_bytes: 68719476737 }",
       "limits.max_decoded_bytes: 68719476737"},
  };
  for (const auto& [text, message] : bad) {
    const absl::Status status = Validate(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(status.message(), HasSubstr(message)) << text;
  }
}

TEST(DaemonConfigTest, NonLoopbackNeedsTlsOrExplicitOverride) {
  EXPECT_TRUE(
      Validate("listen: \"0.0.0.0:1\" allow_insecure_non_loopback: true").ok());
  EXPECT_TRUE(Validate("listen: \"0.0.0.0:1\" tls { cert_file: \"c\" "
                       "key_file: \"k\" }")
                  .ok());
}

TEST(DaemonConfigTest, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:1"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:1"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:1"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:1"));
  EXPECT_FALSE(IsLoopbackAddress("example.com:1"));
  EXPECT_TRUE(IsLoopbackAddress("127.1.2.3:1"));
  // Host names that merely start like a loopback address.
  EXPECT_FALSE(IsLoopbackAddress("127.example.com:1"));
  EXPECT_FALSE(IsLoopbackAddress("127.0.0.1.nip.io:1"));
}

TEST(DaemonConfigTest, RolesAreCheckerAdminOrReviewer) {
  const std::string tls =
      "tls { cert_file: \"c\" key_file: \"k\" client_ca_file: \"ca\" ";
  EXPECT_TRUE(Validate(tls + "roles { common_name: \"a\" roles: \"checker\" "
                             "roles: \"admin\" roles: \"reviewer\" } }")
                  .ok());
  const absl::Status status =
      Validate(tls + "roles { common_name: \"a\" roles: \"root\" } }");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("tls.roles[0].roles"));
  EXPECT_THAT(status.message(), HasSubstr("\"root\""));
}

TEST(DaemonConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadDaemonConfigFile("/nonexistent/clearmatchd.textproto")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST(DaemonConfigTest, SandboxDefaultsAndBadValues) {
  absl::StatusOr<v1::DaemonConfig> config = ParseDaemonConfig("", "c");
  ASSERT_TRUE(config.ok());
  ApplyDaemonConfigDefaults(&*config);
  EXPECT_TRUE(config->sandbox().enabled());
  EXPECT_EQ(config->sandbox().memory_bytes(), uint64_t{2} << 30);
  EXPECT_EQ(config->sandbox().image_cpu_ms(), 5000u);
  EXPECT_EQ(config->sandbox().video_cpu_ms(), 30000u);
  EXPECT_EQ(config->sandbox().decoder_path(), "");
  // Off only when said so.
  config = ParseDaemonConfig("sandbox { enabled: false }", "c");
  ASSERT_TRUE(config.ok());
  ApplyDaemonConfigDefaults(&*config);
  EXPECT_FALSE(config->sandbox().enabled());

  const std::pair<const char*, const char*> cases[] = {
      {"sandbox { memory_bytes: 1000 }", "sandbox.memory_bytes"},
      {"sandbox { memory_bytes: 100000000000000 }", "sandbox.memory_bytes"},
      {"sandbox { image_cpu_ms: 10 }", "sandbox.image_cpu_ms"},
      {"sandbox { image_cpu_ms: 700000 }", "sandbox.image_cpu_ms"},
      {"sandbox { video_cpu_ms: 0 }", "sandbox.video_cpu_ms"},
      {"sandbox { video_cpu_ms: 4000000 }", "sandbox.video_cpu_ms"},
  };
  for (const auto& [text, key] : cases) {
    const absl::Status status = Validate(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(status.message(), HasSubstr(key)) << text;
  }
}

TEST(DaemonConfigTest, WebListenerIsOffByDefaultAndChecked) {
  absl::StatusOr<v1::DaemonConfig> config = ParseDaemonConfig("", "c");
  ASSERT_TRUE(config.ok());
  ApplyDaemonConfigDefaults(&*config);
  EXPECT_EQ(config->web_listen(), "off");
  EXPECT_TRUE(Validate("web_listen: \"127.0.0.1:8080\" web_local_reviewer: "
                       "\"ann\" content_url_template: "
                       "\"https://admin.example/content/{content_id}\"")
                  .ok());
  EXPECT_TRUE(Validate("web_listen: \"[::1]:0\"").ok());
  const std::pair<const char*, const char*> bad[] = {
      {"web_listen: \"nonsense\"", "web_listen: \"nonsense\" is not HOST"},
      {"web_listen: \"0.0.0.0:8443\"",
       "web_listen: \"0.0.0.0:8443\" is not "
       "loopback"},
      {"web_listen: \"unix:/tmp/w.sock\"", "must be HOST:PORT"},
      {"web_local_reviewer: \"ann\"", "web_local_reviewer: set, but"},
      {"web_listen: \"127.0.0.1:1\" web_local_reviewer: \"%\"",
       "web_local_reviewer: longer than 256"},
      {"content_url_template: \"ftp://x/{content_id}\"",
       "content_url_template"},
      {"content_url_template: \"https://x/content\"",
       "content_url_template: \"https://x/content\" is not"},
  };
  for (const auto& [text, message] : bad) {
    std::string config_text = text;
    const size_t percent = config_text.find('%');
    if (percent != std::string::npos) {
      config_text.replace(percent, 1, std::string(257, 'a'));
    }
    const absl::Status status = Validate(config_text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(status.message(), HasSubstr(message)) << text;
  }
}

}  // namespace
}  // namespace clearmatch
