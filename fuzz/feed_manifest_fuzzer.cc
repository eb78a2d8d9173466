// Fuzz target: a feed's manifest.pb. A reader parses it before checking its
// signature (to name the key it claims in the error), then runs
// ValidateManifest on it once the signature verifies: both on these bytes
// (a signing key that publishes a broken manifest is the case covered).
#include <cstddef>
#include <cstdint>

#include "clearmatch/v1/feed.pb.h"
#include "feed/feed_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clearmatch;  // NOLINT(build/namespaces)
  if (size > static_cast<size_t>(kMaxManifestBytes)) return -1;
  v1::FeedManifest manifest;
  if (!manifest.ParseFromArray(data, static_cast<int>(size))) return 0;
  (void)ValidateManifest(manifest);
  return 0;
}
