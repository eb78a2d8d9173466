// SignedFeedIndexSource: a signed feed (docs/FEED_PROTOCOL.md) as an
// IndexSource: a FeedSyncer keeps a HashStore of its own in step with the
// feed, and each Sync hands on what changed.
//
//   SignedFeedIndexSource::Options options;
//   options.url = "https://feed.example/v1/";
//   options.public_key_pem = pem;
//   options.store_dir = data_dir;   // feed-<sha256(url)[:16]>.sqlite
//   CM_ASSIGN_OR_RETURN(auto source, SignedFeedIndexSource::Create(options));
//
// Entries are keyed by (feed id, entry id); the version is the sum of the
// store's checkpoints (one per feed id, in practice one).
// Thread-compatible (see IndexSource).
#ifndef CLEARMATCH_SERVING_SIGNED_FEED_INDEX_SOURCE_H_
#define CLEARMATCH_SERVING_SIGNED_FEED_INDEX_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "feed/feed_source.h"
#include "feed/feed_syncer.h"
#include "feed/hash_store.h"
#include "serving/index_source.h"

namespace clearmatch {

class SignedFeedIndexSource final : public IndexSource {
 public:
  struct Options {
    std::string url;  // http(s)://, file:// or a directory
    std::string public_key_pem;
    std::string feed_id;    // empty: the first manifest's
    std::string ca_file;    // https: PEM CA bundle; empty = the system's
    std::string store_dir;  // where the HashStore lives; created if missing
  };

  // Opens (or creates) the store and checks its integrity; fetches nothing.
  // FAILED_PRECONDITION if store_dir cannot be made; DATA_LOSS naming the
  // store and the URL for a damaged store; INVALID_ARGUMENT "url: ..." for
  // an unusable URL and "public key..." etc. from FeedSyncer::Create.
  static absl::StatusOr<std::unique_ptr<SignedFeedIndexSource>> Create(
      Options options);

  const std::string& name() const override { return options_.url; }
  SourceKind kind() const override { return SourceKind::kSignedFeed; }
  absl::StatusOr<EntryChanges> Sync() override;
  absl::StatusOr<std::vector<HashEntry>> ListEntries() override;
  absl::StatusOr<SourceState> State() override;
  // "feed URL\n" and "  FEED_ID SEQUENCE\n" per checkpoint.
  absl::StatusOr<std::string> ContentKey() override;

  // data_dir/feed-<first 16 hex digits of sha256(url)>.sqlite.
  static std::string StorePath(const std::string& store_dir,
                               const std::string& url);

 private:
  explicit SignedFeedIndexSource(Options options)
      : options_(std::move(options)) {}

  const Options options_;
  std::unique_ptr<HashStore> store_;
  std::unique_ptr<FeedSource> transport_;
  std::unique_ptr<FeedSyncer> syncer_;  // borrows store_ and transport_
};

}  // namespace clearmatch

#endif  // CLEARMATCH_SERVING_SIGNED_FEED_INDEX_SOURCE_H_
