// One sync of a signed feed into the HashStore: fetch and verify the
// manifest (trusted key, feed id, not older than the checkpoint, not
// expired), then fetch, verify and apply every newer delta in order, each in
// its own transaction with its checkpoint; load the snapshot first when the
// checkpoint is too old for the deltas on offer. The daemon runs Sync on a
// timer; `clearmatch feed sync` runs it once.
//
//   CM_ASSIGN_OR_RETURN(auto syncer, FeedSyncer::Create(options, *source,
//   *store)); CM_ASSIGN_OR_RETURN(FeedSyncer::Result result, syncer->Sync());
//   index_builder.Apply(result.changes.added,
//   result.changes.removed_entry_ids);
#ifndef CLEARMATCH_FEED_FEED_SYNCER_H_
#define CLEARMATCH_FEED_FEED_SYNCER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/ed25519_verifier.h"
#include "feed/feed_entry.h"
#include "feed/feed_reader.h"
#include "feed/feed_source.h"
#include "feed/hash_store.h"

namespace clearmatch {

class FeedChangesBuilder;

// Thread-compatible: one Sync at a time. Borrows the source and the store,
// which must outlive it.
class FeedSyncer {
 public:
  struct Options {
    // The trusted Ed25519 public key of the feed (PEM).
    std::string public_key_pem;
    // The feed this syncer follows. Empty: the store's only feed, or, for an
    // empty store, the feed id of the first verified manifest.
    std::string feed_id;
    FeedReader::Options reader;
  };

  struct Result {
    std::string feed_id;
    uint64_t from_sequence = 0;  // checkpoint before (0 = never synced)
    uint64_t to_sequence = 0;    // checkpoint after
    std::optional<uint64_t> snapshot_sequence;  // set if a snapshot was loaded
    std::vector<uint64_t> applied_deltas;       // in order
    int64_t records = 0;                        // records in the files applied
    FeedChanges changes;  // for the index (see FeedChanges)
    FeedStageTimes times;
    absl::Duration store_time;  // writing to the HashStore
  };

  // INVALID_ARGUMENT for a bad public key or feed id.
  static absl::StatusOr<std::unique_ptr<FeedSyncer>> Create(Options options,
                                                            FeedSource& source,
                                                            HashStore& store);

  // Brings the store up to the manifest's sequence. Errors (the store keeps
  // its last good state in every case): those of FeedReader (signature,
  // expiry, fetch, sha256, records); FAILED_PRECONDITION for another feed
  // id, a manifest older than the checkpoint (rollback) or a gap the
  // snapshot cannot bridge; store errors (RESOURCE_EXHAUSTED disk full...).
  // When an error comes after some deltas were applied, they stay applied
  // (the message says which); a reader tracking changes must then reload
  // from the store.
  absl::StatusOr<Result> Sync();

 private:
  FeedSyncer(Options options, std::unique_ptr<Ed25519Verifier> verifier,
             FeedSource& source, HashStore& store)
      : options_(std::move(options)),
        verifier_(std::move(verifier)),
        source_(source),
        store_(store) {}
  absl::StatusOr<std::string> ExpectedFeedId(const std::string& manifest_feed);
  // The result before any file is applied: checks the manifest's feed id
  // and sequence against the store's checkpoint.
  absl::StatusOr<Result> StartResult(const v1::FeedManifest& manifest);
  // Replaces the store's entries with the snapshot's.
  absl::Status LoadSnapshot(FeedReader& reader, const v1::FeedFile& snapshot,
                            int64_t created, Result& result,
                            FeedChangesBuilder& changes);
  // Applies the manifest's deltas from sequence `next` on, in order.
  absl::Status ApplyDeltas(FeedReader& reader, const v1::FeedManifest& manifest,
                           uint64_t next, Result& result,
                           FeedChangesBuilder& changes);

  const Options options_;
  const std::unique_ptr<Ed25519Verifier> verifier_;
  FeedSource& source_;
  HashStore& store_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_FEED_FEED_SYNCER_H_
