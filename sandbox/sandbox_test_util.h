// Helpers of the sandbox tests: the decoder binaries of the build tree and
// requests for them.
#ifndef CLEARMATCH_SANDBOX_SANDBOX_TEST_UTIL_H_
#define CLEARMATCH_SANDBOX_SANDBOX_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "sandbox/decoder_wire_codec.h"
#include "sandbox/sandboxed_fingerprint_backend.h"

namespace clearmatch::sandbox::testing {

inline std::string RealDecoder() { return DefaultDecoderPath(); }
inline std::string FaultsDecoder() {
  return DefaultDecoderPath("clearmatch-decoder-faults");
}

// Media that makes clearmatch-decoder-faults do `command`.
inline std::vector<uint8_t> Fault(absl::string_view command) {
  const std::string text = absl::StrCat("CLEARMATCH-TEST-FAULT:", command);
  return std::vector<uint8_t>(text.begin(), text.end());
}

// A request with default options and `cpu_seconds` of CPU.
inline DecodeRequest DefaultRequest(uint32_t cpu_seconds = 30) {
  return RequestToWire(MediaFingerprinter::Options{}, absl::Seconds(60),
                       cpu_seconds);
}

}  // namespace clearmatch::sandbox::testing

#endif  // CLEARMATCH_SANDBOX_SANDBOX_TEST_UTIL_H_
