// Fuzz target: an NCMEC hash sharing API response body through every reader
// of clearinghouse/ncmec_xml.h (entries page, status, feedback reasons), with
// their default limits. The first byte picks the reader, the rest is the XML.
#include <cstddef>
#include <cstdint>

#include "clearinghouse/ncmec_xml.h"
#include "fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clearmatch;  // NOLINT(build/namespaces)
  if (size == 0) return -1;
  const absl::string_view xml = fuzz::AsStringView(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      (void)ParseNcmecEntries(xml);
      break;
    case 1:
      (void)ParseNcmecStatus(xml);
      break;
    default:
      (void)ParseNcmecFeedbackReasons(xml);
      break;
  }
  return 0;
}
