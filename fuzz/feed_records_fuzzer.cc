// Fuzz target: a feed delta or snapshot file (the length-delimited
// FeedRecord stream) through DecodeFeedRecords, which a syncer runs on every
// file it fetches. What it accepts must encode back to records that decode
// to the same changes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "feed/feed_entry.h"
#include "feed/feed_format.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clearmatch;  // NOLINT(build/namespaces)
  absl::StatusOr<std::vector<FeedChange>> changes =
      DecodeFeedRecords(fuzz::AsStringView(data, size));
  if (!changes.ok()) return 0;
  const std::string encoded = EncodeFeedRecords(*changes);
  absl::StatusOr<std::vector<FeedChange>> again = DecodeFeedRecords(encoded);
  if (!again.ok() || again->size() != changes->size()) __builtin_trap();
  for (size_t i = 0; i < changes->size(); ++i) {
    if ((*again)[i].op != (*changes)[i].op ||
        !((*again)[i].entry == (*changes)[i].entry)) {
      __builtin_trap();
    }
  }
  return 0;
}
