// Helpers shared by the libFuzzer targets of fuzz/ (docs/FUZZING.md): the
// fuzzer's bytes as the views the parsers take.
#ifndef CLEARMATCH_FUZZ_FUZZ_INPUT_H_
#define CLEARMATCH_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace clearmatch::fuzz {

inline absl::string_view AsStringView(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

inline absl::Span<const uint8_t> AsSpan(const uint8_t* data, size_t size) {
  return absl::MakeConstSpan(data, size);
}

}  // namespace clearmatch::fuzz

#endif  // CLEARMATCH_FUZZ_FUZZ_INPUT_H_
