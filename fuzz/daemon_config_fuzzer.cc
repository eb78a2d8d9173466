// Fuzz target: a clearmatchd config file (text-format DaemonConfig) through
// what start-up does with it: parse, defaults (the clearinghouse sources'
// too), validation of every key.
#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "clearmatch/v1/config.pb.h"
#include "config/daemon_config.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clearmatch;  // NOLINT(build/namespaces)
  // LoadDaemonConfigFile refuses files over 1 MiB before parsing.
  if (size > (size_t{1} << 20)) return -1;
  absl::StatusOr<v1::DaemonConfig> config =
      ParseDaemonConfig(fuzz::AsStringView(data, size), "fuzz.textproto");
  if (!config.ok()) return 0;
  ApplyDaemonConfigDefaults(&*config);
  (void)ValidateDaemonConfig(*config);
  return 0;
}
