// Fuzz target: a StopNCII FetchHashes response body through the strict JSON
// reader (ParseFetchHashesPage) with its default limits. Every record it
// accepts has a hash of the length its signal type requires.
#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "clearinghouse/stopncii_json.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clearmatch;  // NOLINT(build/namespaces)
  absl::StatusOr<StopNciiPage> page =
      ParseFetchHashesPage(fuzz::AsStringView(data, size), {});
  if (!page.ok()) return 0;
  for (const StopNciiRecord& record : page->records) {
    const size_t digits = record.signal == StopNciiSignal::kImagePdq ? 64 : 32;
    if (record.hash_value.size() != digits) __builtin_trap();
  }
  return 0;
}
