// Loading, syncing, swapping and persisting the served index.
#include "daemon/index_updater.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bank/bank_csv.h"
#include "common/status_macros.h"
#include "common/log.h"
#include "feed/feed_entry.h"
#include "feed/open_feed_source.h"
#include "hashing/file_digests.h"
#include "index/snapshot_file.h"

namespace clearmatch {
namespace {

constexpr char kSnapshotName[] = "index.snap";
constexpr char kSourcesName[] = "index.snap.sources";

absl::Span<const uint8_t> Bytes(absl::string_view s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()),
                             s.size());
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", temp));
  }
  std::error_code error;
  std::filesystem::rename(temp, path, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", temp, ": ", error.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<IndexUpdater>> IndexUpdater::Create(
    Options options, IndexHolder& holder, DaemonMetrics& metrics) {
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("data_dir ", options.data_dir, ": ", error.message()));
  }
  auto updater = std::unique_ptr<IndexUpdater>(
      new IndexUpdater(std::move(options), holder, metrics));
  absl::MutexLock lock(&updater->sync_mu_);
  for (size_t i = 0; i < updater->options_.feeds.size(); ++i) {
    const FeedOptions& feed_options = updater->options_.feeds[i];
    Feed feed;
    feed.options = feed_options;
    CM_ASSIGN_OR_RETURN(FileDigests url_digest,
                        ComputeFileDigests(Bytes(feed_options.url)));
    feed.store_path = absl::StrCat(updater->options_.data_dir, "/feed-",
                                   url_digest.sha256.substr(0, 16), ".sqlite");
    HashStore::Options store_options;
    store_options.path = feed.store_path;
    CM_ASSIGN_OR_RETURN(feed.store, HashStore::Open(std::move(store_options)));
    // A damaged store must stop the daemon with its name, never serve as an
    // index with entries silently missing.
    if (absl::Status healthy = feed.store->CheckIntegrity(); !healthy.ok()) {
      return absl::DataLossError(absl::StrCat("hash store ", feed.store_path,
                                              " for feed ", feed_options.url,
                                              ": ", healthy.message()));
    }
    HttpFeedSource::Options http_options;
    http_options.ca_file = feed_options.ca_file;
    absl::StatusOr<std::unique_ptr<FeedSource>> source =
        OpenFeedSource(feed_options.url, http_options);
    if (!source.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("feeds[", i, "].url: ", source.status().message()));
    }
    feed.source = *std::move(source);
    FeedSyncer::Options syncer_options;
    syncer_options.public_key_pem = feed_options.public_key_pem;
    syncer_options.feed_id = feed_options.feed_id;
    absl::StatusOr<std::unique_ptr<FeedSyncer>> syncer =
        FeedSyncer::Create(syncer_options, *feed.source, *feed.store);
    if (!syncer.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("feeds[", i, "]: ", syncer.status().message()));
    }
    feed.syncer = *std::move(syncer);
    updater->feeds_.push_back(std::move(feed));
    FeedStatus status;
    status.url = feed_options.url;
    absl::MutexLock status_lock(&updater->mu_);
    updater->status_.feeds.push_back(status);
  }
  for (size_t i = 0; i < updater->feeds_.size(); ++i) {
    updater->RefreshFeedStatus(i, absl::OkStatus());
  }
  return updater;
}

IndexUpdater::~IndexUpdater() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::string> IndexUpdater::SourcesKey() {
  std::string key = "clearmatch index sources v1\n";
  for (Feed& feed : feeds_) {
    CM_ASSIGN_OR_RETURN(std::vector<FeedCheckpoint> checkpoints,
                        feed.store->ListCheckpoints());
    absl::StrAppend(&key, "feed ", feed.options.url, "\n");
    for (const FeedCheckpoint& checkpoint : checkpoints) {
      absl::StrAppend(&key, "  ", checkpoint.feed_id, " ", checkpoint.sequence,
                      "\n");
    }
  }
  for (const CsvOptions& csv : options_.bank_csvs) {
    CM_ASSIGN_OR_RETURN(std::string content, ReadSmallFile(csv.path));
    CM_ASSIGN_OR_RETURN(FileDigests digests,
                        ComputeFileDigests(Bytes(content)));
    absl::StrAppend(&key, "csv ", csv.path, " ", csv.bank, " ", digests.sha256,
                    "\n");
  }
  return key;
}

absl::StatusOr<bool> IndexUpdater::AllFeedsSynced() {
  for (Feed& feed : feeds_) {
    CM_ASSIGN_OR_RETURN(std::vector<FeedCheckpoint> checkpoints,
                        feed.store->ListCheckpoints());
    if (checkpoints.empty()) return false;
  }
  return true;
}

absl::StatusOr<uint64_t> IndexUpdater::StoreVersion() {
  uint64_t version = 0;
  for (Feed& feed : feeds_) {
    CM_ASSIGN_OR_RETURN(std::vector<FeedCheckpoint> checkpoints,
                        feed.store->ListCheckpoints());
    for (const FeedCheckpoint& checkpoint : checkpoints) {
      version += checkpoint.sequence;
    }
  }
  return version;
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>>
IndexUpdater::BuildFromSources() {
  if (!csv_loaded_) {
    for (const CsvOptions& csv : options_.bank_csvs) {
      BankCsvOptions csv_options;
      csv_options.source_feed = absl::StrCat(
          "csv:", std::filesystem::path(csv.path).filename().string());
      CM_ASSIGN_OR_RETURN(std::vector<HashEntry> entries,
                          ReadBankCsvFile(csv.path, csv_options));
      for (HashEntry& entry : entries) {
        if (entry.bank.empty()) entry.bank = csv.bank;
        csv_entries_.push_back(std::move(entry));
      }
    }
    csv_loaded_ = true;
  }
  std::vector<HashEntry> entries = csv_entries_;
  for (Feed& feed : feeds_) {
    CM_ASSIGN_OR_RETURN(std::vector<FeedCheckpoint> checkpoints,
                        feed.store->ListCheckpoints());
    for (const FeedCheckpoint& checkpoint : checkpoints) {
      CM_ASSIGN_OR_RETURN(std::vector<FeedEntry> feed_entries,
                          feed.store->ListEntries(checkpoint.feed_id));
      for (const FeedEntry& feed_entry : feed_entries) {
        CM_ASSIGN_OR_RETURN(
            HashEntry entry,
            HashEntryFromFeedEntry(feed_entry, checkpoint.feed_id));
        entries.push_back(std::move(entry));
      }
    }
  }
  CM_ASSIGN_OR_RETURN(uint64_t version, StoreVersion());
  return builder_.Build(std::move(entries), version);
}

absl::Status IndexUpdater::Publish(
    std::shared_ptr<const IndexSnapshot> snapshot, absl::string_view from,
    bool persist) {
  CM_RETURN_IF_ERROR(holder_.Swap(snapshot));
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    status_.serving = true;
    status_.version = snapshot->version();
    status_.size = snapshot->size();
    status_.delta_size = snapshot->delta_size();
    status_.loaded = now;
    status_.loaded_from = std::string(from);
  }
  metrics_.SetIndex(snapshot->version(), snapshot->size(),
                    snapshot->delta_size(), now);
  LogInfo(absl::StrCat("index swapped in: version ", snapshot->version(), ", ",
                       snapshot->size(), " entries (", snapshot->delta_size(),
                       " in the delta), from ", from));
  if (options_.on_swap) options_.on_swap(*snapshot);
  if (!persist) return absl::OkStatus();
  // A crash between the two writes leaves a sources key that does not match
  // the new snapshot: the next start rebuilds instead of trusting it.
  const std::string snap_path =
      absl::StrCat(options_.data_dir, "/", kSnapshotName);
  const std::string sources_path =
      absl::StrCat(options_.data_dir, "/", kSourcesName);
  std::error_code ignored;
  std::filesystem::remove(sources_path, ignored);
  CM_RETURN_IF_ERROR(SnapshotFile::Write(*snapshot, snap_path));
  CM_ASSIGN_OR_RETURN(std::string key, SourcesKey());
  return WriteFileAtomically(sources_path, key);
}

absl::Status IndexUpdater::LoadInitial() {
  absl::MutexLock lock(&sync_mu_);
  const std::string snap_path =
      absl::StrCat(options_.data_dir, "/", kSnapshotName);
  const std::string sources_path =
      absl::StrCat(options_.data_dir, "/", kSourcesName);
  CM_ASSIGN_OR_RETURN(std::string key, SourcesKey());
  absl::StatusOr<std::string> saved_key = ReadSmallFile(sources_path);
  if (saved_key.ok() && *saved_key == key) {
    absl::StatusOr<std::shared_ptr<const IndexSnapshot>> snapshot =
        SnapshotFile::Read(snap_path, {});
    if (snapshot.ok()) {
      return Publish(*std::move(snapshot), "snapshot_file", /*persist=*/false);
    }
    LogWarning(absl::StrCat("ignoring the index snapshot file: ",
                            snapshot.status().ToString()));
  }
  CM_ASSIGN_OR_RETURN(bool synced, AllFeedsSynced());
  if (!synced) {
    LogInfo("not serving until every feed has synced once");
    return absl::OkStatus();
  }
  CM_ASSIGN_OR_RETURN(std::shared_ptr<const IndexSnapshot> snapshot,
                      BuildFromSources());
  return Publish(std::move(snapshot), "sources", /*persist=*/true);
}

void IndexUpdater::RefreshFeedStatus(size_t i, const absl::Status& result) {
  Feed& feed = feeds_[i];
  absl::StatusOr<std::vector<FeedCheckpoint>> checkpoints =
      feed.store->ListCheckpoints();
  absl::MutexLock lock(&mu_);
  FeedStatus& status = status_.feeds[i];
  if (checkpoints.ok() && !checkpoints->empty()) {
    const FeedCheckpoint& checkpoint = checkpoints->front();
    status.feed_id = checkpoint.feed_id;
    status.sequence = checkpoint.sequence;
    status.manifest_created =
        absl::FromUnixSeconds(checkpoint.manifest_created_at_unix_seconds);
    absl::StatusOr<int64_t> count =
        feed.store->CountEntries(checkpoint.feed_id);
    if (count.ok()) status.entries = *count;
  }
  metrics_.SetFeed(status.url, status.sequence, status.manifest_created,
                   status.last_success,
                   status.last_result == "ok" || status.last_result == "never");
  (void)result;
}

absl::Status IndexUpdater::SyncNow() {
  absl::MutexLock lock(&sync_mu_);
  return SyncLocked();
}

absl::Status IndexUpdater::SyncLocked() {
  absl::Status first_error;
  std::vector<HashEntry> additions;
  std::vector<EntryKey> removals;
  bool rebuild = false;
  bool changed = false;
  for (size_t i = 0; i < feeds_.size(); ++i) {
    Feed& feed = feeds_[i];
    CM_ASSIGN_OR_RETURN(uint64_t before, StoreVersion());
    absl::StatusOr<FeedSyncer::Result> result = feed.syncer->Sync();
    const absl::Time now = absl::Now();
    {
      absl::MutexLock lock(&mu_);
      FeedStatus& status = status_.feeds[i];
      status.last_sync = now;
      if (result.ok()) {
        status.last_result = "ok";
        status.last_success = now;
      } else {
        status.last_result = std::string(result.status().message());
      }
    }
    if (!result.ok()) {
      LogWarning(absl::StrCat("feed ", feed.options.url,
                              " sync failed: ", result.status().ToString()));
      if (first_error.ok()) first_error = result.status();
      // Deltas applied before the error stay in the store: reload.
      CM_ASSIGN_OR_RETURN(uint64_t after, StoreVersion());
      if (after != before) rebuild = true;
    } else if (result->to_sequence != result->from_sequence) {
      changed = true;
      LogInfo(absl::StrCat("feed ", result->feed_id, " synced: sequence ",
                           result->from_sequence, " -> ", result->to_sequence,
                           ", ", result->records, " records"));
      if (result->changes.full_reload) rebuild = true;
      for (const std::string& id : result->changes.removed_entry_ids) {
        removals.push_back({result->feed_id, id});
      }
      for (const FeedEntry& feed_entry : result->changes.added) {
        absl::StatusOr<HashEntry> entry =
            HashEntryFromFeedEntry(feed_entry, result->feed_id);
        if (!entry.ok()) {
          rebuild = true;
          continue;
        }
        // An ADD replaces any entry with the same id.
        removals.push_back({result->feed_id, feed_entry.entry_id});
        additions.push_back(*std::move(entry));
      }
    }
    RefreshFeedStatus(i, result.status());
  }
  std::shared_ptr<const IndexSnapshot> current = holder_.Current();
  if (current == nullptr) {
    CM_ASSIGN_OR_RETURN(bool synced, AllFeedsSynced());
    if (!synced) return first_error;
    rebuild = true;
  }
  if (rebuild) {
    CM_ASSIGN_OR_RETURN(std::shared_ptr<const IndexSnapshot> snapshot,
                        BuildFromSources());
    CM_RETURN_IF_ERROR(Publish(std::move(snapshot), "sources", true));
  } else if (changed) {
    CM_ASSIGN_OR_RETURN(uint64_t version, StoreVersion());
    CM_ASSIGN_OR_RETURN(
        std::shared_ptr<const IndexSnapshot> snapshot,
        builder_.Apply(*current, std::move(additions), removals, version));
    const bool compact = builder_.ShouldCompact(*snapshot);
    CM_RETURN_IF_ERROR(Publish(snapshot, "sync", /*persist=*/!compact));
    if (compact) {
      CM_ASSIGN_OR_RETURN(std::shared_ptr<const IndexSnapshot> compacted,
                          builder_.Compact(*snapshot));
      CM_RETURN_IF_ERROR(Publish(std::move(compacted), "compaction", true));
    }
  }
  return first_error;
}

IndexUpdater::Status IndexUpdater::GetStatus() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

void IndexUpdater::Start() {
  thread_ = std::thread([this] { Run(); });
}

void IndexUpdater::RequestSync(absl::AnyInvocable<void(Status) &&> done) {
  absl::MutexLock lock(&mu_);
  pending_.push_back(std::move(done));
}

void IndexUpdater::Run() {
  absl::Time next_sync = absl::Now();
  for (;;) {
    std::vector<absl::AnyInvocable<void(Status) &&>> waiting;
    {
      absl::ReleasableMutexLock lock(&mu_);
      auto ready = [this, &next_sync]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !pending_.empty() || absl::Now() >= next_sync;
      };
      while (!ready()) {
        // Woken by RequestSync/stop through the condition, or at the timer.
        mu_.AwaitWithDeadline(
            absl::Condition(
                +[](IndexUpdater* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                  return self->stopping_ || !self->pending_.empty();
                },
                this),
            next_sync);
      }
      waiting.swap(pending_);
      if (stopping_) {
        // Answer whoever still waits, without syncing.
        lock.Release();
        const Status status = GetStatus();
        for (auto& done : waiting) std::move(done)(status);
        return;
      }
    }
    {
      absl::MutexLock lock(&sync_mu_);
      absl::Status status = SyncLocked();
      if (!status.ok()) {
        LogWarning(absl::StrCat("sync: ", status.ToString()));
      }
    }
    next_sync = options_.sync_interval > absl::ZeroDuration()
                    ? absl::Now() + options_.sync_interval
                    : absl::InfiniteFuture();
    const Status status = GetStatus();
    for (auto& done : waiting) std::move(done)(status);
  }
}

}  // namespace clearmatch
