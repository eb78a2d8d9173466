// Clearinghouse benchmark: the initial sync of N entries to matchable from
// the loopback NCMEC (1000 entries per page) and StopNCII (1000 records per
// page) test servers, through the real sources, HTTP client, parsers and
// ClearinghouseStore, then IndexBuilder::Build of what they hold. Baseline
// in the same run: the signed-feed path (one published delta of N entries,
// SignedFeedIndexSource over loopback HTTP) to matchable.
//
//   clearinghouse_bench [--entries N]
//
// Entries/s is N over (sync + matchable); the servers share the machine.
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clearinghouse/clearinghouse_store.h"
#include "clearinghouse/ncmec_index_source.h"
#include "clearinghouse/stopncii_index_source.h"
#include "crypto/ed25519_signer.h"
#include "feed/feed_publisher.h"
#include "index/index_builder.h"
#include "serving/signed_feed_index_source.h"
#include "testing/fault_http_server.h"
#include "testing/feed_fixtures.h"
#include "testing/ncmec_test_server.h"
#include "testing/pdq_codes.h"
#include "testing/stopncii_test_server.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::NcmecTestServer;
using ::clearmatch::testing::StopNciiTestServer;

// Entries spread over this many seconds before now (a few windows).
constexpr int64_t kSpreadSeconds = 30 * 24 * 3600;

struct PathTimes {
  absl::Duration sync;
  absl::Duration matchable;
  int64_t entries = 0;
};

std::string RandomPdqHex(std::mt19937_64& rng) {
  return testing::RandomCode(rng).ToHex();
}

// Syncs `source` until a Sync adds nothing, then builds the index of
// everything it holds.
absl::StatusOr<PathTimes> SyncToMatchable(IndexSource& source) {
  PathTimes times;
  absl::Time start = absl::Now();
  for (;;) {
    absl::StatusOr<EntryChanges> changes = source.Sync();
    if (!changes.ok()) return changes.status();
    if (changes->added.empty()) break;
  }
  times.sync = absl::Now() - start;
  start = absl::Now();
  absl::StatusOr<std::vector<HashEntry>> entries = source.ListEntries();
  if (!entries.ok()) return entries.status();
  times.entries = static_cast<int64_t>(entries->size());
  IndexBuilder builder(IndexBuilder::Options{});
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> snapshot =
      builder.Build(*std::move(entries), 1);
  if (!snapshot.ok()) return snapshot.status();
  times.matchable = absl::Now() - start;
  return times;
}

absl::StatusOr<PathTimes> RunNcmec(int64_t n, const testing::TempDir& dir) {
  auto server = NcmecTestServer::Start({});
  if (!server.ok()) return server.status();
  std::mt19937_64 rng(1);
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  std::vector<NcmecTestServer::Entry> entries;
  entries.reserve(n);
  for (int64_t i = 0; i < n; ++i) {
    entries.push_back(
        {.member_id = 42,
         .id = absl::StrCat("e", i),
         .timestamp = now - kSpreadSeconds + i * kSpreadSeconds / n,
         .classification = "A1",
         .fingerprints = {{"pdq", RandomPdqHex(rng)}}});
  }
  (*server)->AddAll(std::move(entries));
  auto store = ClearinghouseStore::Open({.path = dir.File("ncmec.sqlite")});
  if (!store.ok()) return store.status();
  NcmecIndexSource::Options options;
  options.base_url = (*server)->base_url();
  options.credentials = {"platform", "secret"};
  options.start_time_unix_seconds = now - kSpreadSeconds - 1;
  options.initial_window = absl::Hours(24);
  auto source = NcmecIndexSource::Create(std::move(options), **store);
  if (!source.ok()) return source.status();
  return SyncToMatchable(**source);
}

absl::StatusOr<PathTimes> RunStopNcii(int64_t n, const testing::TempDir& dir) {
  auto server = StopNciiTestServer::Start({});
  if (!server.ok()) return server.status();
  std::mt19937_64 rng(2);
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  for (int64_t i = 0; i < n; ++i) {
    (*server)->Upsert({.last_modified = now - kSpreadSeconds + i,
                       .signal_type = "ImagePDQ",
                       .hash_value = RandomPdqHex(rng),
                       .hash_status = "Active"});
  }
  auto store = ClearinghouseStore::Open({.path = dir.File("stopncii.sqlite")});
  if (!store.ok()) return store.status();
  StopNciiIndexSource::Options options;
  options.base_url = (*server)->base_url();
  options.credentials = {"test-subscription-key", "test-fetch-hashes-key",
                         "test-submit-feedback-key"};
  options.start_time_unix_seconds = now - kSpreadSeconds - 1;
  options.max_pages_per_sync = 100000;
  auto source = StopNciiIndexSource::Create(std::move(options), **store);
  if (!source.ok()) return source.status();
  return SyncToMatchable(**source);
}

absl::StatusOr<PathTimes> RunSignedFeed(int64_t n,
                                        const testing::TempDir& dir) {
  const std::string feed_dir = dir.File("feed");
  const Ed25519KeyPair keys = *Ed25519Signer::GenerateKeyPair();
  FeedPublisher::Options publish_options;
  publish_options.feed_dir = feed_dir;
  publish_options.private_key_pem = keys.private_pem;
  publish_options.feed_id = "bench";
  auto publisher = FeedPublisher::Create(publish_options);
  if (!publisher.ok()) return publisher.status();
  auto published = (*publisher)->Publish(testing::TestAdds(0, n));
  if (!published.ok()) return published.status();
  auto server = testing::FaultHttpServer::Start(feed_dir);
  if (!server.ok()) return server.status();
  SignedFeedIndexSource::Options options;
  options.url = (*server)->base_url();
  options.public_key_pem = keys.public_pem;
  options.store_dir = dir.File("feed-store");
  auto source = SignedFeedIndexSource::Create(std::move(options));
  if (!source.ok()) return source.status();
  return SyncToMatchable(**source);
}

void Print(const char* name, const PathTimes& times, int64_t n) {
  const double seconds = absl::ToDoubleSeconds(times.sync + times.matchable);
  std::printf(
      "  %-12s sync %7.2f s + matchable %5.2f s = %7.2f s  %9.0f entries/s "
      "(%lld held)\n",
      name, absl::ToDoubleSeconds(times.sync),
      absl::ToDoubleSeconds(times.matchable), seconds, n / seconds,
      static_cast<long long>(times.entries));
}

int Run(int64_t n) {
  testing::TempDir dir("clearinghouse-bench");
  std::printf("clearinghouse_bench: %lld entries per source\n",
              static_cast<long long>(n));
  const std::pair<const char*, std::function<absl::StatusOr<PathTimes>(
                                   int64_t, const testing::TempDir&)>>
      paths[] = {{"signed feed", RunSignedFeed},
                 {"ncmec", RunNcmec},
                 {"stopncii", RunStopNcii}};
  for (const auto& [name, run] : paths) {
    absl::StatusOr<PathTimes> times = run(n, dir);
    if (!times.ok()) {
      std::fprintf(stderr, "%s: %s\n", name, times.status().ToString().c_str());
      return 1;
    }
    Print(name, *times, n);
  }
  std::printf("  target: at least 50000 entries/s for each clearinghouse\n");
  return 0;
}

}  // namespace
}  // namespace clearmatch

int main(int argc, char** argv) {
  int64_t entries = 1000000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--entries") == 0 && i + 1 < argc &&
        absl::SimpleAtoi(argv[i + 1], &entries) && entries > 0) {
      ++i;
      continue;
    }
    std::fprintf(stderr, "usage: clearinghouse_bench [--entries N]\n");
    return 2;
  }
  return clearmatch::Run(entries);
}
