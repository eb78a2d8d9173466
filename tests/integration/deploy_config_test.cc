// The daemon configs shipped in deploy/ (container, systemd, Kubernetes base
// and example overlay) parse and validate as clearmatchd would read them,
// and agree with the paths their unit, image and manifests rely on: the
// state in /var/lib/clearmatch (StateDirectory, the image's volume, the
// pods' data volume) and the unix socket that the probes call.
#include <string>

#include "config/daemon_config.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

v1::DaemonConfig LoadShipped(const std::string& relative) {
  absl::StatusOr<v1::DaemonConfig> config = LoadDaemonConfigFile(
      std::string(CLEARMATCH_SOURCE_DIR) + "/deploy/" + relative);
  EXPECT_TRUE(config.ok()) << relative << ": " << config.status();
  if (!config.ok()) return {};
  ApplyDaemonConfigDefaults(&*config);
  const absl::Status valid = ValidateDaemonConfig(*config);
  EXPECT_TRUE(valid.ok()) << relative << ": " << valid;
  return *config;
}

TEST(DeployConfigTest, ContainerConfig) {
  const v1::DaemonConfig config =
      LoadShipped("container/clearmatchd.textproto");
  EXPECT_EQ(config.data_dir(), "/var/lib/clearmatch");
  EXPECT_EQ(config.unix_socket(), "/var/lib/clearmatch/clearmatchd.sock");
  // Loopback only without TLS: nothing outside the container reaches it.
  EXPECT_TRUE(IsLoopbackAddress(config.listen()));
  ASSERT_EQ(config.feeds_size(), 1);
}

TEST(DeployConfigTest, SystemdConfig) {
  const v1::DaemonConfig config = LoadShipped("systemd/clearmatchd.textproto");
  EXPECT_EQ(config.data_dir(), "/var/lib/clearmatch");
  EXPECT_EQ(config.unix_socket(), "/run/clearmatch/clearmatchd.sock");
  EXPECT_FALSE(config.tls().cert_file().empty());
}

TEST(DeployConfigTest, KubernetesConfigs) {
  for (const char* file : {"k8s/base/clearmatchd.textproto",
                           "k8s/overlays/example/clearmatchd.textproto"}) {
    SCOPED_TRACE(file);
    const v1::DaemonConfig config = LoadShipped(file);
    EXPECT_EQ(config.data_dir(), "/var/lib/clearmatch");
    // The probes of deploy/k8s/base/deployment.yaml call this socket.
    EXPECT_EQ(config.unix_socket(), "/var/lib/clearmatch/clearmatchd.sock");
    EXPECT_FALSE(IsLoopbackAddress(config.listen()));
    EXPECT_FALSE(config.tls().client_ca_file().empty());
    EXPECT_FALSE(config.allow_insecure_non_loopback());
  }
}

}  // namespace
}  // namespace clearmatch
