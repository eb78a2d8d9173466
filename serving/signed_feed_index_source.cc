// A signed feed synced into its HashStore, as an IndexSource.
#include "serving/signed_feed_index_source.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/file_io.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "feed/feed_entry.h"
#include "feed/open_feed_source.h"
#include "hashing/file_digests.h"

namespace clearmatch {
namespace {

// The changes of one successful FeedSyncer::Sync, keyed by feed id. An
// entry the index cannot take asks for a full reload, whose ListEntries
// then reports it.
EntryChanges ToEntryChanges(const FeedSyncer::Result& result) {
  EntryChanges changes;
  changes.full_reload = result.changes.full_reload;
  for (const std::string& id : result.changes.removed_entry_ids) {
    changes.removed.push_back({result.feed_id, id});
  }
  for (const FeedEntry& feed_entry : result.changes.added) {
    absl::StatusOr<HashEntry> entry =
        HashEntryFromFeedEntry(feed_entry, result.feed_id);
    if (!entry.ok()) {
      changes.full_reload = true;
      continue;
    }
    // An ADD replaces any entry with the same id.
    changes.removed.push_back({result.feed_id, feed_entry.entry_id});
    changes.added.push_back(*std::move(entry));
  }
  return changes;
}

}  // namespace

std::string SignedFeedIndexSource::StorePath(const std::string& store_dir,
                                             const std::string& url) {
  return absl::StrCat(store_dir, "/feed-", Sha256Hex(url).substr(0, 16),
                      ".sqlite");
}

absl::StatusOr<std::unique_ptr<SignedFeedIndexSource>>
SignedFeedIndexSource::Create(Options options) {
  if (absl::Status made = CreatePrivateDirectories(options.store_dir);
      !made.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store directory ", options.store_dir, ": ", made.message()));
  }
  auto source = std::unique_ptr<SignedFeedIndexSource>(
      new SignedFeedIndexSource(std::move(options)));
  const Options& o = source->options_;
  HashStore::Options store_options;
  store_options.path = StorePath(o.store_dir, o.url);
  CM_ASSIGN_OR_RETURN(source->store_, HashStore::Open(store_options));
  // A damaged store must stop the daemon with its name, never serve as an
  // index with entries silently missing.
  if (absl::Status healthy = source->store_->CheckIntegrity(); !healthy.ok()) {
    return absl::DataLossError(absl::StrCat("hash store ", store_options.path,
                                            " for feed ", o.url, ": ",
                                            healthy.message()));
  }
  HttpFeedSource::Options http_options;
  http_options.ca_file = o.ca_file;
  absl::StatusOr<std::unique_ptr<FeedSource>> transport =
      OpenFeedSource(o.url, http_options);
  if (!transport.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("url: ", transport.status().message()));
  }
  source->transport_ = *std::move(transport);
  FeedSyncer::Options syncer_options;
  syncer_options.public_key_pem = o.public_key_pem;
  syncer_options.feed_id = o.feed_id;
  CM_ASSIGN_OR_RETURN(
      source->syncer_,
      FeedSyncer::Create(syncer_options, *source->transport_, *source->store_));
  return source;
}

absl::StatusOr<EntryChanges> SignedFeedIndexSource::Sync() {
  CM_ASSIGN_OR_RETURN(FeedSyncer::Result result, syncer_->Sync());
  if (result.to_sequence != result.from_sequence) {
    LogInfo(absl::StrCat("feed ", result.feed_id, " synced: sequence ",
                         result.from_sequence, " -> ", result.to_sequence, ", ",
                         result.records, " records"));
  }
  return ToEntryChanges(result);
}

absl::StatusOr<std::vector<HashEntry>> SignedFeedIndexSource::ListEntries() {
  CM_ASSIGN_OR_RETURN(std::vector<FeedCheckpoint> checkpoints,
                      store_->ListCheckpoints());
  std::vector<HashEntry> entries;
  for (const FeedCheckpoint& checkpoint : checkpoints) {
    CM_ASSIGN_OR_RETURN(std::vector<FeedEntry> feed_entries,
                        store_->ListEntries(checkpoint.feed_id));
    for (const FeedEntry& feed_entry : feed_entries) {
      CM_ASSIGN_OR_RETURN(HashEntry entry, HashEntryFromFeedEntry(
                                               feed_entry, checkpoint.feed_id));
      entries.push_back(std::move(entry));
    }
  }
  return entries;
}

absl::StatusOr<SourceState> SignedFeedIndexSource::State() {
  CM_ASSIGN_OR_RETURN(std::vector<FeedCheckpoint> checkpoints,
                      store_->ListCheckpoints());
  SourceState state;
  state.synced = !checkpoints.empty();
  for (const FeedCheckpoint& checkpoint : checkpoints) {
    state.version += checkpoint.sequence;
  }
  if (!checkpoints.empty()) {
    const FeedCheckpoint& first = checkpoints.front();
    state.id = first.feed_id;
    state.published =
        absl::FromUnixSeconds(first.manifest_created_at_unix_seconds);
    CM_ASSIGN_OR_RETURN(state.entries, store_->CountEntries(first.feed_id));
  }
  return state;
}

absl::StatusOr<std::string> SignedFeedIndexSource::ContentKey() {
  CM_ASSIGN_OR_RETURN(std::vector<FeedCheckpoint> checkpoints,
                      store_->ListCheckpoints());
  std::string key = absl::StrCat("feed ", options_.url, "\n");
  for (const FeedCheckpoint& checkpoint : checkpoints) {
    absl::StrAppend(&key, "  ", checkpoint.feed_id, " ", checkpoint.sequence,
                    "\n");
  }
  return key;
}

}  // namespace clearmatch
