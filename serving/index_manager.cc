// Loading, syncing, swapping and persisting the served index.
#include "serving/index_manager.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace clearmatch {

IndexManager::IndexManager(Options options,
                           std::vector<std::unique_ptr<IndexSource>> sources,
                           IndexHolder& holder)
    : options_(std::move(options)),
      holder_(holder),
      sources_(std::move(sources)) {}

absl::StatusOr<std::unique_ptr<IndexManager>> IndexManager::Create(
    Options options, std::vector<std::unique_ptr<IndexSource>> sources,
    IndexHolder& holder) {
  std::error_code error;
  std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("data_dir ", options.data_dir, ": ", error.message()));
  }
  auto manager = std::unique_ptr<IndexManager>(
      new IndexManager(std::move(options), std::move(sources), holder));
  absl::MutexLock lock(&manager->sync_mu_);
  {
    absl::MutexLock status_lock(&manager->mu_);
    for (const std::unique_ptr<IndexSource>& source : manager->sources_) {
      SourceStatus& status = manager->status_.sources.emplace_back();
      status.kind = source->kind();
      status.name = source->name();
    }
  }
  for (size_t i = 0; i < manager->sources_.size(); ++i) {
    manager->RefreshSourceState(i);
  }
  return manager;
}

IndexManager::~IndexManager() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::string> IndexManager::SourcesKey() {
  std::string key = "clearmatch index sources v1\n";
  for (const std::unique_ptr<IndexSource>& source : sources_) {
    CM_ASSIGN_OR_RETURN(std::string part, source->ContentKey());
    absl::StrAppend(&key, part);
  }
  return key;
}

absl::StatusOr<bool> IndexManager::AllSourcesSynced() {
  for (const std::unique_ptr<IndexSource>& source : sources_) {
    CM_ASSIGN_OR_RETURN(SourceState state, source->State());
    if (!state.synced) return false;
  }
  return true;
}

absl::StatusOr<uint64_t> IndexManager::SourcesVersion() {
  uint64_t version = 0;
  for (const std::unique_ptr<IndexSource>& source : sources_) {
    CM_ASSIGN_OR_RETURN(SourceState state, source->State());
    version += state.version;
  }
  return version;
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>>
IndexManager::BuildFromSources() {
  std::vector<HashEntry> entries;
  for (const std::unique_ptr<IndexSource>& source : sources_) {
    CM_ASSIGN_OR_RETURN(std::vector<HashEntry> source_entries,
                        source->ListEntries());
    entries.insert(entries.end(),
                   std::make_move_iterator(source_entries.begin()),
                   std::make_move_iterator(source_entries.end()));
  }
  CM_ASSIGN_OR_RETURN(uint64_t version, SourcesVersion());
  return builder_.Build(std::move(entries), version);
}

absl::Status IndexManager::Publish(
    std::shared_ptr<const IndexSnapshot> snapshot, IndexOrigin origin,
    bool persist) {
  CM_RETURN_IF_ERROR(holder_.Swap(snapshot));
  IndexStatus index;
  index.serving = true;
  index.version = snapshot->version();
  index.size = snapshot->size();
  index.delta_size = snapshot->delta_size();
  index.loaded = absl::Now();
  index.loaded_from = origin;
  {
    absl::MutexLock lock(&mu_);
    status_.index = index;
  }
  LogInfo(absl::StrCat("index swapped in: version ", index.version, ", ",
                       index.size, " entries (", index.delta_size,
                       " in the delta), from ", IndexOriginName(origin)));
  if (options_.on_swap) options_.on_swap(index);
  if (!persist) return absl::OkStatus();
  CM_ASSIGN_OR_RETURN(std::string key, SourcesKey());
  return persisted_.Write(*snapshot, key);
}

absl::Status IndexManager::LoadInitial() {
  absl::MutexLock lock(&sync_mu_);
  CM_ASSIGN_OR_RETURN(std::string key, SourcesKey());
  if (std::shared_ptr<const IndexSnapshot> saved =
          persisted_.ReadIfCurrent(key);
      saved != nullptr) {
    return Publish(std::move(saved), IndexOrigin::kSnapshotFile,
                   /*persist=*/false);
  }
  CM_ASSIGN_OR_RETURN(bool synced, AllSourcesSynced());
  if (!synced) {
    LogInfo("not serving until every source has synced once");
    return absl::OkStatus();
  }
  CM_ASSIGN_OR_RETURN(std::shared_ptr<const IndexSnapshot> snapshot,
                      BuildFromSources());
  return Publish(std::move(snapshot), IndexOrigin::kSources,
                 /*persist=*/true);
}

void IndexManager::RefreshSourceState(size_t i) {
  absl::StatusOr<SourceState> state = sources_[i]->State();
  SourceStatus status;
  {
    absl::MutexLock lock(&mu_);
    if (state.ok()) status_.sources[i].state = *std::move(state);
    status = status_.sources[i];
  }
  if (options_.on_source_status) options_.on_source_status(status);
}

void IndexManager::RecordSyncResult(size_t i, const absl::Status& result) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  SourceStatus& status = status_.sources[i];
  status.last_sync = now;
  if (result.ok()) {
    status.last_result = SyncOutcome::kOk;
    status.last_error.clear();
    status.last_success = now;
  } else {
    status.last_result = SyncOutcome::kFailed;
    status.last_error = std::string(result.message());
  }
}

absl::Status IndexManager::SyncOnce() {
  absl::MutexLock lock(&sync_mu_);
  return SyncLocked();
}

absl::Status IndexManager::SyncSource(size_t i, Round& round) {
  IndexSource& source = *sources_[i];
  CM_ASSIGN_OR_RETURN(SourceState before, source.State());
  absl::StatusOr<EntryChanges> changes = source.Sync();
  RecordSyncResult(i, changes.status());
  if (!changes.ok()) {
    LogWarning(absl::StrCat("source ", source.name(),
                            " sync failed: ", changes.status().ToString()));
    if (round.first_error.ok()) round.first_error = changes.status();
    // What the source committed before the error is not in `changes`.
    CM_ASSIGN_OR_RETURN(SourceState after, source.State());
    if (after.version != before.version) round.rebuild = true;
  } else {
    if (changes->full_reload) round.rebuild = true;
    if (!changes->empty()) round.changed = true;
    round.removed.insert(round.removed.end(), changes->removed.begin(),
                         changes->removed.end());
    round.added.insert(round.added.end(),
                       std::make_move_iterator(changes->added.begin()),
                       std::make_move_iterator(changes->added.end()));
  }
  RefreshSourceState(i);
  return absl::OkStatus();
}

absl::Status IndexManager::ApplyRound(Round round) {
  std::shared_ptr<const IndexSnapshot> current = holder_.Current();
  if (current == nullptr) {
    CM_ASSIGN_OR_RETURN(bool synced, AllSourcesSynced());
    if (!synced) return absl::OkStatus();
    round.rebuild = true;
  }
  if (round.rebuild) {
    CM_ASSIGN_OR_RETURN(std::shared_ptr<const IndexSnapshot> snapshot,
                        BuildFromSources());
    return Publish(std::move(snapshot), IndexOrigin::kSources,
                   /*persist=*/true);
  }
  CM_ASSIGN_OR_RETURN(uint64_t version, SourcesVersion());
  if (!round.changed && version == current->version()) {
    return absl::OkStatus();
  }
  CM_ASSIGN_OR_RETURN(
      std::shared_ptr<const IndexSnapshot> snapshot,
      builder_.Apply(*current, std::move(round.added), round.removed, version));
  const bool compact = builder_.ShouldCompact(*snapshot);
  CM_RETURN_IF_ERROR(
      Publish(snapshot, IndexOrigin::kSync, /*persist=*/!compact));
  if (!compact) return absl::OkStatus();
  CM_ASSIGN_OR_RETURN(std::shared_ptr<const IndexSnapshot> compacted,
                      builder_.Compact(*snapshot));
  return Publish(std::move(compacted), IndexOrigin::kCompaction,
                 /*persist=*/true);
}

absl::Status IndexManager::SyncLocked() {
  Round round;
  for (size_t i = 0; i < sources_.size(); ++i) {
    CM_RETURN_IF_ERROR(SyncSource(i, round));
  }
  absl::Status first_error = round.first_error;
  CM_RETURN_IF_ERROR(ApplyRound(std::move(round)));
  return first_error;
}

ServingStatus IndexManager::GetStatus() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

void IndexManager::Start() {
  thread_ = std::thread([this] { Run(); });
}

void IndexManager::RequestSync(
    absl::AnyInvocable<void(ServingStatus) &&> done) {
  absl::MutexLock lock(&mu_);
  pending_.push_back(std::move(done));
}

void IndexManager::Run() {
  absl::Time next_sync = absl::Now();
  for (;;) {
    std::vector<absl::AnyInvocable<void(ServingStatus) &&>> waiting;
    bool stop = false;
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !pending_.empty();
      };
      // Woken by RequestSync/stop through the condition, or at the timer.
      while (!woken() && absl::Now() < next_sync) {
        mu_.AwaitWithDeadline(
            absl::Condition(
                +[](IndexManager* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                  return self->stopping_ || !self->pending_.empty();
                },
                this),
            next_sync);
      }
      waiting.swap(pending_);
      stop = stopping_;
    }
    // On stop, answer whoever still waits without syncing.
    if (!stop) {
      if (absl::Status status = SyncOnce(); !status.ok()) {
        LogWarning(absl::StrCat("sync: ", status.ToString()));
      }
      next_sync = options_.sync_interval > absl::ZeroDuration()
                      ? absl::Now() + options_.sync_interval
                      : absl::InfiniteFuture();
    }
    const ServingStatus status = GetStatus();
    for (auto& done : waiting) std::move(done)(status);
    if (stop) return;
  }
}

}  // namespace clearmatch
