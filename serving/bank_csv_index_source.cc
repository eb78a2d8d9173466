// A static bank CSV as an IndexSource.
#include "serving/bank_csv_index_source.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bank/bank_csv.h"
#include "common/file_io.h"
#include "common/status_macros.h"
#include "hashing/file_digests.h"

namespace clearmatch {

absl::StatusOr<std::vector<HashEntry>> BankCsvIndexSource::ListEntries() {
  if (!loaded_.has_value()) {
    BankCsvOptions csv_options;
    csv_options.source_feed = absl::StrCat(
        "csv:", std::filesystem::path(options_.path).filename().string());
    CM_ASSIGN_OR_RETURN(
        std::string content,
        ReadFileToString(options_.path, csv_options.max_file_bytes));
    absl::StatusOr<std::vector<HashEntry>> entries =
        ParseBankCsv(content, csv_options);
    if (!entries.ok()) {
      return absl::Status(
          entries.status().code(),
          absl::StrCat(options_.path, ": ", entries.status().message()));
    }
    for (HashEntry& entry : *entries) {
      if (entry.bank.empty()) entry.bank = options_.bank;
    }
    loaded_ = Loaded{*std::move(entries), Sha256Hex(content)};
  }
  return loaded_->entries;
}

absl::StatusOr<SourceState> BankCsvIndexSource::State() {
  SourceState state;
  state.synced = true;
  if (loaded_.has_value()) {
    state.entries = static_cast<int64_t>(loaded_->entries.size());
  }
  return state;
}

absl::StatusOr<std::string> BankCsvIndexSource::ContentKey() {
  std::string sha256;
  if (loaded_.has_value()) {
    sha256 = loaded_->sha256;
  } else {
    CM_ASSIGN_OR_RETURN(
        std::string content,
        ReadFileToString(options_.path, BankCsvOptions{}.max_file_bytes));
    sha256 = Sha256Hex(content);
  }
  return absl::StrCat("csv ", options_.path, " ", options_.bank, " ", sha256,
                      "\n");
}

}  // namespace clearmatch
