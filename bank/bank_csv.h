// Bank CSV: the plain-text hash bank format investigators use with
// `clearmatch match` and that feeds are published from. One hash per line:
//
//   # hash_type,hash,entry_id,bank,category
//   pdq,d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22,e1,tid,ncii
//   MD5,0123456789ABCDEF0123456789abcdef,e2,,
//   sha256,<64 hex>,e3
//
// hash_type is pdq, md5, sha1 or sha256 (any case); the hash is hex of the
// type's length (64, 32, 40, 64), either case; entry_id is required; bank
// and category may be empty or absent. `#` starts a comment; blank lines
// and spaces around fields are ignored; CRLF line ends are accepted.
// Pure functions; thread-safe.
#ifndef CLEARMATCH_BANK_BANK_CSV_H_
#define CLEARMATCH_BANK_BANK_CSV_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bank/hash_entry.h"

namespace clearmatch {

struct BankCsvOptions {
  // Longer lines are refused (INVALID_ARGUMENT naming the line).
  size_t max_line_bytes = 4096;
  // Larger files are refused (RESOURCE_EXHAUSTED) before being parsed.
  uint64_t max_file_bytes = uint64_t{4} << 30;
  // Stored in every entry.
  std::string source_feed;
  int64_t added_at = 0;
};

// INVALID_ARGUMENT naming the line number and the problem (bad hex, wrong
// length for the type, unknown type, missing entry id, too many columns).
absl::StatusOr<std::vector<HashEntry>> ParseBankCsv(
    std::string_view content, const BankCsvOptions& options);

// Reads `path` (bounded by max_file_bytes) and parses it. NOT_FOUND etc.
// for I/O errors; the messages of parse errors start with the path.
absl::StatusOr<std::vector<HashEntry>> ReadBankCsvFile(
    const std::string& path, const BankCsvOptions& options);

}  // namespace clearmatch

#endif  // CLEARMATCH_BANK_BANK_CSV_H_
