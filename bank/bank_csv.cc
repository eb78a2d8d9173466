// Bank CSV parser: strict, bounded, errors name the line.
#include "bank/bank_csv.h"

#include <array>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/file_io.h"
#include "common/hex.h"

namespace clearmatch {
namespace {

absl::StatusOr<HashEntry> ParseLine(absl::string_view line,
                                    const BankCsvOptions& options) {
  std::vector<absl::string_view> fields = absl::StrSplit(line, ',');
  if (fields.size() < 3) {
    return absl::InvalidArgumentError(absl::StrCat(fields.size(),
                                                   " columns, want at least "
                                                   "hash_type,hash,entry_id"));
  }
  if (fields.size() > 5) {
    return absl::InvalidArgumentError(
        absl::StrCat("too many columns (", fields.size(),
                     ", want hash_type,hash,entry_id,bank,category)"));
  }
  for (absl::string_view& field : fields) {
    field = absl::StripAsciiWhitespace(field);
  }

  HashEntry entry;
  absl::StatusOr<HashType> type =
      ParseHashType(std::string_view(fields[0].data(), fields[0].size()));
  if (!type.ok() || *type == HashType::kVpdq) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown hash type '", fields[0], "' (want pdq, md5, sha1 or sha256)"));
  }
  entry.type = *type;
  const size_t bytes =
      entry.type == HashType::kPdq ? PdqHash::kBytes : DigestLength(entry.type);
  absl::StatusOr<std::string> raw =
      ParseHexBytes(std::string_view(fields[1].data(), fields[1].size()), bytes,
                    std::string(HashTypeName(entry.type)) + " hash");
  if (!raw.ok()) return raw.status();
  if (entry.type == HashType::kPdq) {
    std::array<uint8_t, PdqHash::kBytes> code;
    std::memcpy(code.data(), raw->data(), code.size());
    entry.pdq = PdqHash(code);
  } else {
    entry.digest = *std::move(raw);
  }
  if (fields[2].empty()) return absl::InvalidArgumentError("empty entry_id");
  entry.entry_id = std::string(fields[2]);
  if (fields.size() > 3) entry.bank = std::string(fields[3]);
  if (fields.size() > 4) entry.category = std::string(fields[4]);
  entry.source_feed = options.source_feed;
  entry.added_at = options.added_at;
  if (absl::Status valid = ValidateHashEntry(entry); !valid.ok()) {
    return valid;
  }
  return entry;
}

}  // namespace

absl::StatusOr<std::vector<HashEntry>> ParseBankCsv(
    std::string_view text, const BankCsvOptions& options) {
  const absl::string_view content(text.data(), text.size());
  if (content.size() > options.max_file_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("bank CSV has ", content.size(), " bytes (limit ",
                     options.max_file_bytes, ")"));
  }
  std::vector<HashEntry> entries;
  size_t line_number = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++line_number;
    if (line.size() > options.max_line_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": ", line.size(),
                       " bytes (limit ", options.max_line_bytes, ")"));
    }
    if (const size_t hash = line.find('#'); hash != line.npos) {
      line = line.substr(0, hash);
    }
    line = absl::StripAsciiWhitespace(line);  // also a CRLF's '\r'
    if (line.empty()) continue;
    absl::StatusOr<HashEntry> entry = ParseLine(line, options);
    if (!entry.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": ", entry.status().message()));
    }
    entries.push_back(*std::move(entry));
  }
  return entries;
}

absl::StatusOr<std::vector<HashEntry>> ReadBankCsvFile(
    const std::string& path, const BankCsvOptions& options) {
  absl::StatusOr<std::string> content =
      ReadFileToString(path, options.max_file_bytes);
  if (!content.ok()) {
    return absl::Status(content.status().code(),
                        absl::StrCat("bank CSV: ", content.status().message()));
  }
  absl::StatusOr<std::vector<HashEntry>> entries =
      ParseBankCsv(*content, options);
  if (!entries.ok()) {
    return absl::Status(entries.status().code(),
                        absl::StrCat(path, ": ", entries.status().message()));
  }
  return entries;
}

}  // namespace clearmatch
