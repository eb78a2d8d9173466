// Reads a command-line input (a file path, or "-" for standard input) into
// memory, refusing anything larger than a limit without reading it all.
#ifndef CLEARMATCH_CLI_INPUT_READER_H_
#define CLEARMATCH_CLI_INPUT_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace clearmatch::cli {

// NOT_FOUND / PERMISSION_DENIED / INVALID_ARGUMENT (a directory) naming the
// path; RESOURCE_EXHAUSTED when the input exceeds `max_bytes`.
absl::StatusOr<std::vector<uint8_t>> ReadInput(const std::string& path,
                                               int64_t max_bytes);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_INPUT_READER_H_
