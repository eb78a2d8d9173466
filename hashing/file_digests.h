// Exact byte digests of a whole file (MD5, SHA-1, SHA-256) through OpenSSL's
// EVP API, as lowercase hex. Pure computation over a buffer in memory.
#ifndef CLEARMATCH_HASHING_FILE_DIGESTS_H_
#define CLEARMATCH_HASHING_FILE_DIGESTS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace clearmatch {

struct FileDigests {
  std::string md5;     // 32 lowercase hex digits
  std::string sha1;    // 40
  std::string sha256;  // 64
};

// INTERNAL only if OpenSSL itself fails (e.g. a FIPS provider without MD5).
absl::StatusOr<FileDigests> ComputeFileDigests(absl::Span<const uint8_t> bytes);

// Lowercase hex SHA-256 of `bytes` (64 digits). SHA-256 through EVP cannot
// fail short of memory exhaustion, which aborts.
std::string Sha256Hex(absl::string_view bytes);

}  // namespace clearmatch

#endif  // CLEARMATCH_HASHING_FILE_DIGESTS_H_
