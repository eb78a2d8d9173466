// BankCsvIndexSource: a static bank CSV (bank/bank_csv.h) as an
// IndexSource. It is read when its entries are first needed and kept; Sync
// never changes anything (the file is not watched). Its version is 0: it
// does not move the index version.
//
//   BankCsvIndexSource csv({.path = "bank.csv", .bank = "tid"});
//
// Entries come from source feed "csv:<file name>", with `bank` for rows
// that name none. Thread-compatible (see IndexSource).
#ifndef CLEARMATCH_SERVING_BANK_CSV_INDEX_SOURCE_H_
#define CLEARMATCH_SERVING_BANK_CSV_INDEX_SOURCE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "serving/index_source.h"

namespace clearmatch {

class BankCsvIndexSource final : public IndexSource {
 public:
  struct Options {
    std::string path;
    std::string bank;  // for rows without one
  };

  explicit BankCsvIndexSource(Options options) : options_(std::move(options)) {}

  const std::string& name() const override { return options_.path; }
  SourceKind kind() const override { return SourceKind::kBankCsv; }
  // No changes, ever.
  absl::StatusOr<EntryChanges> Sync() override { return EntryChanges{}; }
  // Reads and parses the file the first time; the errors of
  // ReadBankCsvFile (NOT_FOUND, INVALID_ARGUMENT naming the line...).
  absl::StatusOr<std::vector<HashEntry>> ListEntries() override;
  absl::StatusOr<SourceState> State() override;
  // "csv PATH BANK SHA256\n": the digest of the content loaded, or of the
  // file now if it was not loaded yet (which makes it cheap to check a
  // snapshot file at start-up).
  absl::StatusOr<std::string> ContentKey() override;

 private:
  struct Loaded {
    std::vector<HashEntry> entries;
    std::string sha256;  // of the content they were parsed from
  };

  const Options options_;
  std::optional<Loaded> loaded_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_SERVING_BANK_CSV_INDEX_SOURCE_H_
