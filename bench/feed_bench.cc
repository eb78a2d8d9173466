// Feed benchmark: publish a 1M-entry delta, sync it from a loopback HTTP
// server into an empty HashStore, and make it matchable (IndexBuilder);
// seconds per stage. Baselines in the same run: reading the delta from disk,
// SHA-256 alone, and a bare bulk insert of the same entries.
//
//   feed_bench [--entries N]
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "crypto/ed25519_signer.h"
#include "feed/feed_format.h"
#include "feed/feed_publisher.h"
#include "feed/feed_syncer.h"
#include "feed/file_feed_source.h"
#include "feed/http_feed_source.h"
#include "hashing/file_digests.h"
#include "index/index_builder.h"
#include "testing/fault_http_server.h"
#include "testing/feed_fixtures.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::FaultHttpServer;
double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

int Run(int64_t entries) {
  testing::TempDir dir;
  const std::string feed_dir = dir.File("feed");
  const Ed25519KeyPair keys = *Ed25519Signer::GenerateKeyPair();
  const std::vector<FeedChange> changes = testing::TestAdds(0, entries);

  FeedPublisher::Options publish_options;
  publish_options.feed_dir = feed_dir;
  publish_options.private_key_pem = keys.private_pem;
  publish_options.feed_id = "bench";
  auto publisher = *FeedPublisher::Create(publish_options);
  absl::Time start = absl::Now();
  auto published = publisher->Publish(changes);
  const absl::Duration publish_time = absl::Now() - start;
  if (!published.ok()) {
    std::fprintf(stderr, "publish: %s\n",
                 published.status().ToString().c_str());
    return 1;
  }

  auto server = *FaultHttpServer::Start(feed_dir);
  HttpFeedSource::Options http;
  http.base_url = server->base_url();
  auto source = *HttpFeedSource::Create(http);
  HashStore::Options store_options;
  store_options.path = dir.File("store.sqlite");
  auto store = *HashStore::Open(store_options);
  FeedSyncer::Options sync_options;
  sync_options.public_key_pem = keys.public_pem;
  auto syncer = *FeedSyncer::Create(sync_options, *source, *store);
  start = absl::Now();
  auto result = syncer->Sync();
  const absl::Duration sync_time = absl::Now() - start;
  if (!result.ok()) {
    std::fprintf(stderr, "sync: %s\n", result.status().ToString().c_str());
    return 1;
  }

  start = absl::Now();
  std::vector<HashEntry> index_entries;
  index_entries.reserve(result->changes.added.size());
  for (const FeedEntry& entry : result->changes.added) {
    index_entries.push_back(*HashEntryFromFeedEntry(entry, result->feed_id));
  }
  IndexBuilder builder(IndexBuilder::Options{});
  auto snapshot = builder.Build(std::move(index_entries), result->to_sequence);
  const absl::Duration matchable_time = absl::Now() - start;
  if (!snapshot.ok()) {
    std::fprintf(stderr, "index: %s\n", snapshot.status().ToString().c_str());
    return 1;
  }

  // Baselines.
  FileFeedSource disk(feed_dir);
  start = absl::Now();
  const std::string bytes =
      *disk.Fetch(published->delta_path, int64_t{4} << 30);
  const absl::Duration disk_time = absl::Now() - start;
  start = absl::Now();
  const std::string digest = Sha256Hex(bytes);
  const absl::Duration sha_time = absl::Now() - start;
  HashStore::Options bulk_options;
  bulk_options.path = dir.File("bulk.sqlite");
  auto bulk = *HashStore::Open(bulk_options);
  std::vector<FeedEntry> plain;
  plain.reserve(changes.size());
  for (const FeedChange& change : changes) plain.push_back(change.entry);
  start = absl::Now();
  (void)bulk->ReplaceWithSnapshot({"bench", 1, 0}, plain);
  const absl::Duration bulk_time = absl::Now() - start;

  const double total = Seconds(result->times.fetch + result->times.verify +
                               result->store_time + matchable_time);
  std::printf("feed_bench: %lld entries, delta %.1f MB (sha256 %.8s...)\n",
              static_cast<long long>(entries), bytes.size() / 1e6,
              digest.c_str());
  std::printf("  publish (encode, sha256, sign, write) %7.2f s\n",
              Seconds(publish_time));
  std::printf(
      "  fetch   (loopback HTTP, libcurl)      %7.2f s   baseline: "
      "read from disk %.2f s\n",
      Seconds(result->times.fetch), Seconds(disk_time));
  std::printf(
      "  verify  (signature, sha256, records)  %7.2f s   baseline: "
      "sha256 alone %.2f s\n",
      Seconds(result->times.verify), Seconds(sha_time));
  std::printf(
      "  store   (SQLite, one transaction)     %7.2f s   baseline: "
      "bare bulk insert %.2f s\n",
      Seconds(result->store_time), Seconds(bulk_time));
  std::printf("  matchable (IndexBuilder::Build)       %7.2f s\n",
              Seconds(matchable_time));
  std::printf(
      "  fetched+verified+stored+matchable     %7.2f s (target <= 15 "
      "s); sync wall %.2f s\n",
      total, Seconds(sync_time));
  return 0;
}

}  // namespace
}  // namespace clearmatch

int main(int argc, char** argv) {
  int64_t entries = 1000000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--entries") == 0 &&
        !absl::SimpleAtoi(argv[i + 1], &entries)) {
      std::fprintf(stderr, "usage: feed_bench [--entries N]\n");
      return 2;
    }
  }
  return clearmatch::Run(entries);
}
