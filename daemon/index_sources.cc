// IndexSources from the daemon's config.
#include "daemon/index_sources.h"

#include <filesystem>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "clearinghouse/clearinghouse_setup.h"
#include "common/file_io.h"
#include "common/status_macros.h"
#include "serving/bank_csv_index_source.h"
#include "serving/signed_feed_index_source.h"

namespace clearmatch {
namespace {

// Largest public key file read.
constexpr uint64_t kMaxPublicKeyBytes = 1 << 20;

absl::Status Keyed(absl::string_view key, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(key, ": ", status.message()));
}

absl::StatusOr<std::unique_ptr<IndexSource>> MakeFeedSource(
    const v1::DaemonConfig& config, int i) {
  const v1::FeedConfig& feed = config.feeds(i);
  const std::string key = absl::StrCat("feeds[", i, "]");
  SignedFeedIndexSource::Options options;
  options.url = feed.url();
  options.feed_id = feed.feed_id();
  options.ca_file = feed.ca_file();
  options.store_dir = config.data_dir();
  options.public_key_pem = feed.public_key_pem();
  if (options.public_key_pem.empty()) {
    absl::StatusOr<std::string> pem =
        ReadFileToString(feed.public_key_file(), kMaxPublicKeyBytes);
    if (!pem.ok() || pem->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          key, ".public_key_file: cannot read \"", feed.public_key_file(), "\"",
          pem.ok() ? " (empty)" : ""));
    }
    options.public_key_pem = *std::move(pem);
  }
  absl::StatusOr<std::unique_ptr<SignedFeedIndexSource>> source =
      SignedFeedIndexSource::Create(std::move(options));
  if (!source.ok()) return Keyed(key, source.status());
  return std::unique_ptr<IndexSource>(*std::move(source));
}

std::unique_ptr<IndexSource> MakeBankCsvSource(const v1::BankCsvConfig& csv) {
  BankCsvIndexSource::Options options;
  options.path = csv.path();
  options.bank = csv.bank().empty()
                     ? std::filesystem::path(csv.path()).stem().string()
                     : csv.bank();
  return std::make_unique<BankCsvIndexSource>(std::move(options));
}

}  // namespace

absl::StatusOr<DaemonIndexSources> MakeDaemonIndexSources(
    const v1::DaemonConfig& config, std::function<bool()> cancelled) {
  DaemonIndexSources made;
  for (int i = 0; i < config.feeds_size(); ++i) {
    CM_ASSIGN_OR_RETURN(made.sources.emplace_back(), MakeFeedSource(config, i));
  }
  for (const v1::BankCsvConfig& csv : config.bank_csvs()) {
    made.sources.push_back(MakeBankCsvSource(csv));
  }
  if (!HasClearinghouseSources(config)) return made;
  if (absl::Status made = CreatePrivateDirectories(config.data_dir());
      !made.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("data_dir: ", made.message()));
  }
  ClearinghouseStore::Options options;
  options.path = absl::StrCat(config.data_dir(), "/clearinghouses.sqlite");
  CM_ASSIGN_OR_RETURN(made.clearinghouse_store,
                      ClearinghouseStore::Open(std::move(options)));
  CM_RETURN_IF_ERROR(made.clearinghouse_store->CheckIntegrity());
  CM_ASSIGN_OR_RETURN(
      std::vector<std::unique_ptr<IndexSource>> clearinghouses,
      MakeClearinghouseSources(config, *made.clearinghouse_store, cancelled));
  for (std::unique_ptr<IndexSource>& source : clearinghouses) {
    made.sources.push_back(std::move(source));
  }
  return made;
}

}  // namespace clearmatch
