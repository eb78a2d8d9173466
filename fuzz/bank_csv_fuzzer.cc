// Fuzz target: a hash bank CSV (the bank_csv index source, `clearmatch feed
// publish`) through ParseBankCsv. Every entry it accepts must pass
// ValidateHashEntry, the check an index applies to what it is given.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bank/bank_csv.h"
#include "bank/hash_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clearmatch;  // NOLINT(build/namespaces)
  BankCsvOptions options;
  options.source_feed = "fuzz";
  absl::StatusOr<std::vector<HashEntry>> entries = ParseBankCsv(
      std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (!entries.ok()) return 0;
  for (const HashEntry& entry : *entries) {
    if (!ValidateHashEntry(entry).ok()) __builtin_trap();
  }
  return 0;
}
