// Loading, syncing, swapping and persisting the served index.
#include "serving/index_manager.h"

#include <algorithm>
#include <iterator>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/file_io.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace clearmatch {

IndexManager::IndexManager(Options options,
                           std::vector<std::unique_ptr<IndexSource>> sources,
                           IndexHolder& holder)
    : options_(std::move(options)),
      holder_(holder),
      sources_([&sources] {
        std::vector<std::unique_ptr<Slot>> slots;
        for (auto& source : sources) {
          slots.push_back(std::make_unique<Slot>(std::move(source)));
        }
        return slots;
      }()),
      applied_(sources_.size()),
      scheduler_(sources_.size(), options_.sync_interval,
                 [this](size_t i) { SyncSource(i).IgnoreError(); }) {}

absl::StatusOr<std::unique_ptr<IndexManager>> IndexManager::Create(
    Options options, std::vector<std::unique_ptr<IndexSource>> sources,
    IndexHolder& holder) {
  if (absl::Status made = CreatePrivateDirectories(options.data_dir);
      !made.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("data_dir ", options.data_dir, ": ", made.message()));
  }
  auto manager = std::unique_ptr<IndexManager>(
      new IndexManager(std::move(options), std::move(sources), holder));
  for (size_t i = 0; i < manager->sources_.size(); ++i) {
    Slot& slot = *manager->sources_[i];
    absl::MutexLock lock(&slot.call_mu);
    {
      absl::MutexLock status_lock(&manager->mu_);
      SourceStatus& status = manager->status_.sources.emplace_back();
      status.kind = slot.source->kind();
      status.name = slot.name;
    }
    manager->ReportSourceState(i, slot.source->State());
  }
  return manager;
}

IndexManager::~IndexManager() {
  scheduler_.Stop([this] { CancelSources(); });
}

void IndexManager::CancelSources() {
  for (const std::unique_ptr<Slot>& slot : sources_) slot->source->Cancel();
}

absl::StatusOr<IndexManager::SourceMark> IndexManager::ReadMark(Slot& slot,
                                                                bool& synced) {
  CM_ASSIGN_OR_RETURN(SourceState state, slot.source->State());
  CM_ASSIGN_OR_RETURN(std::string key, slot.source->ContentKey());
  synced = state.synced;
  return SourceMark{state.version, std::move(key)};
}

std::string IndexManager::SourcesKeyLocked() const {
  std::string key = "clearmatch index sources v1\n";
  for (const SourceMark& mark : applied_) absl::StrAppend(&key, mark.key);
  return key;
}

uint64_t IndexManager::AppliedVersionLocked() const {
  uint64_t version = 0;
  for (const SourceMark& mark : applied_) version += mark.version;
  return version;
}

bool IndexManager::AllSourcesSynced() const {
  absl::MutexLock lock(&mu_);
  return std::all_of(
      status_.sources.begin(), status_.sources.end(),
      [](const SourceStatus& source) { return source.state.synced; });
}

absl::StatusOr<IndexManager::Listing> IndexManager::ListAllSources() {
  Listing listing;
  for (const std::unique_ptr<Slot>& slot : sources_) {
    absl::MutexLock lock(&slot->call_mu);  // waits for a Sync in progress
    CM_ASSIGN_OR_RETURN(std::vector<HashEntry> entries,
                        slot->source->ListEntries());
    bool synced = false;
    CM_ASSIGN_OR_RETURN(SourceMark mark, ReadMark(*slot, synced));
    listing.all_synced = listing.all_synced && synced;
    listing.marks.push_back(std::move(mark));
    listing.entries.insert(listing.entries.end(),
                           std::make_move_iterator(entries.begin()),
                           std::make_move_iterator(entries.end()));
  }
  return listing;
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
  return persisted_.Write(*snapshot, SourcesKeyLocked());
}

absl::Status IndexManager::LoadInitial() {
  bool all_synced = true;
  std::vector<SourceMark> marks;
  for (const std::unique_ptr<Slot>& slot : sources_) {
    absl::MutexLock lock(&slot->call_mu);
    bool synced = false;
    CM_ASSIGN_OR_RETURN(SourceMark mark, ReadMark(*slot, synced));
    all_synced = all_synced && synced;
    marks.push_back(std::move(mark));
  }
  {
    absl::MutexLock lock(&apply_mu_);
    applied_ = std::move(marks);
    if (std::shared_ptr<const IndexSnapshot> saved =
            persisted_.ReadIfCurrent(SourcesKeyLocked());
        saved != nullptr) {
      return Publish(std::move(saved), IndexOrigin::kSnapshotFile,
                     /*persist=*/false);
    }
  }
  if (!all_synced) {
    LogInfo("not serving until every source has synced once");
    return absl::OkStatus();
  }
  return Rebuild(/*first_serve=*/false);
}

void IndexManager::ReportSourceState(size_t i,
                                     const absl::StatusOr<SourceState>& state) {
  SourceStatus status;
  {
    absl::MutexLock lock(&mu_);
    if (state.ok()) status_.sources[i].state = *state;
    status = status_.sources[i];
  }
  if (options_.on_source_status) options_.on_source_status(status);
}

void IndexManager::RecordSyncResult(size_t i, const absl::Status& result,
                                    absl::Time start) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  SourceStatus& status = status_.sources[i];
  status.syncing = false;
  status.last_sync = now;
  status.last_sync_duration = now - start;
  if (result.ok()) {
    status.last_result = SyncOutcome::kOk;
    status.last_error.clear();
    status.last_success = now;
  } else {
    status.last_result = SyncOutcome::kFailed;
    status.last_error = std::string(result.message());
  }
}

absl::StatusOr<IndexManager::Fetched> IndexManager::FetchSource(size_t i) {
  Slot& slot = *sources_[i];
  absl::MutexLock lock(&slot.call_mu);
  CM_ASSIGN_OR_RETURN(SourceState before, slot.source->State());
  const absl::Time start = absl::Now();
  {
    absl::MutexLock status_lock(&mu_);
    status_.sources[i].syncing = true;
  }
  absl::StatusOr<EntryChanges> changes = slot.source->Sync();
  RecordSyncResult(i, changes.status(), start);
  if (!changes.ok()) {
    LogWarning(absl::StrCat("source ", slot.name,
                            " sync failed: ", changes.status().ToString()));
  }
  absl::StatusOr<SourceState> after = slot.source->State();
  ReportSourceState(i, after);
  CM_RETURN_IF_ERROR(after.status());
  Fetched fetched;
  fetched.update.source = i;
  fetched.update.mark.version = after->version;
  CM_ASSIGN_OR_RETURN(fetched.update.mark.key, slot.source->ContentKey());
  fetched.error = changes.status();
  if (changes.ok()) {
    fetched.rebuild = changes->full_reload;
    fetched.update.changes = *std::move(changes);
  } else {
    // What the source committed before the error is not in `changes`.
    fetched.rebuild = after->version != before.version;
  }
  return fetched;
}

absl::Status IndexManager::Deliver(Fetched fetched) {
  bool first_serve = false;
  {
    absl::MutexLock lock(&apply_mu_);
    std::shared_ptr<const IndexSnapshot> current = holder_.Current();
    first_serve = current == nullptr && !fetched.rebuild && !rebuild_due_;
    if (!fetched.rebuild && !rebuild_due_) {
      // A rebuild listing the sources now may have read this one before
      // its Sync committed: it applies the update again.
      if (rebuild_log_ != nullptr && current == nullptr) {
        rebuild_log_->push_back(std::move(fetched.update));
        return absl::OkStatus();
      }
      if (rebuild_log_ != nullptr) rebuild_log_->push_back(fetched.update);
      if (current != nullptr) {
        return ApplyLocked(*current, std::move(fetched.update));
      }
    }
    // Nothing is served before every source synced once; the sync that
    // completes them builds the first index.
    if (current == nullptr && !AllSourcesSynced()) return absl::OkStatus();
  }
  return Rebuild(first_serve);
}

absl::Status IndexManager::ApplyLocked(const IndexSnapshot& current,
                                       SourceUpdate update) {
  SourceMark& mark = applied_[update.source];
  const uint64_t source_version = std::max(mark.version, update.mark.version);
  const uint64_t version =
      std::max(current.version(),
               AppliedVersionLocked() - mark.version + source_version);
  if (update.changes.empty() && version == current.version()) {
    return absl::OkStatus();
  }
  CM_ASSIGN_OR_RETURN(std::shared_ptr<const IndexSnapshot> snapshot,
                      builder_.Apply(current, std::move(update.changes.added),
                                     update.changes.removed, version));
  mark = SourceMark{source_version, std::move(update.mark.key)};
  const bool compact = builder_.ShouldCompact(*snapshot);
  CM_RETURN_IF_ERROR(
      Publish(snapshot, IndexOrigin::kSync, /*persist=*/!compact));
  if (!compact) return absl::OkStatus();
  CM_ASSIGN_OR_RETURN(std::shared_ptr<const IndexSnapshot> compacted,
                      builder_.Compact(*snapshot));
  return Publish(std::move(compacted), IndexOrigin::kCompaction,
                 /*persist=*/true);
}

absl::Status IndexManager::Rebuild(bool first_serve) {
  absl::MutexLock rebuild_lock(&rebuild_mu_);
  std::vector<SourceUpdate> log;
  {
    absl::MutexLock lock(&apply_mu_);
    if (first_serve && holder_.Current() != nullptr) return absl::OkStatus();
    rebuild_log_ = &log;
  }
  // Off the apply mutex: other sources' updates go on (into `log`).
  absl::StatusOr<Listing> listing = ListAllSources();
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> built;
  if (listing.ok()) {
    uint64_t version = 0;
    for (const SourceMark& mark : listing->marks) version += mark.version;
    built = builder_.Build(std::move(listing->entries), version);
  } else {
    built = listing.status();
  }
  absl::MutexLock lock(&apply_mu_);
  rebuild_log_ = nullptr;
  rebuild_due_ = true;
  CM_RETURN_IF_ERROR(built.status());
  rebuild_due_ = false;
  if (!listing->all_synced && holder_.Current() == nullptr) {
    return absl::OkStatus();
  }
  absl::Status published = PublishRebuiltLocked(
      *std::move(built), std::move(listing->marks), std::move(log));
  rebuild_due_ = !published.ok();
  return published;
}

absl::Status IndexManager::PublishRebuiltLocked(
    std::shared_ptr<const IndexSnapshot> snapshot,
    std::vector<SourceMark> marks, std::vector<SourceUpdate> log) {
  for (size_t i = 0; i < marks.size(); ++i) {
    if (marks[i].version >= applied_[i].version) {
      applied_[i] = std::move(marks[i]);
    }
  }
  for (const SourceUpdate& update : log) {
    SourceMark& mark = applied_[update.source];
    if (update.mark.version >= mark.version) mark = update.mark;
  }
  uint64_t version = std::max(AppliedVersionLocked(), snapshot->version());
  if (std::shared_ptr<const IndexSnapshot> current = holder_.Current();
      current != nullptr) {
    version = std::max(version, current->version());
  }
  // Each update removes its keys before adding, so applying one the
  // listing already holds changes nothing.
  for (SourceUpdate& update : log) {
    CM_ASSIGN_OR_RETURN(
        snapshot, builder_.Apply(*snapshot, std::move(update.changes.added),
                                 update.changes.removed, version));
  }
  if (snapshot->version() != version) {
    CM_ASSIGN_OR_RETURN(snapshot, builder_.Apply(*snapshot, {}, {}, version));
  }
  return Publish(std::move(snapshot), IndexOrigin::kSources,
                 /*persist=*/true);
}

absl::Status IndexManager::SyncSource(size_t i) {
  absl::StatusOr<Fetched> fetched = FetchSource(i);
  if (!fetched.ok()) {
    LogWarning(absl::StrCat("source ", sources_[i]->name, ": ",
                            fetched.status().ToString()));
    return fetched.status();
  }
  const absl::Status sync_error = fetched->error;
  const absl::Status delivered = Deliver(*std::move(fetched));
  if (!delivered.ok()) {
    LogWarning(absl::StrCat("index update after source ", sources_[i]->name,
                            ": ", delivered.ToString()));
  }
  return sync_error.ok() ? delivered : sync_error;
}

absl::Status IndexManager::SyncOnce() {
  absl::Status first_error;
  for (size_t i = 0; i < sources_.size(); ++i) {
    absl::Status status = SyncSource(i);
    if (first_error.ok()) first_error = std::move(status);
  }
  return first_error;
}

ServingStatus IndexManager::GetStatus() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

void IndexManager::Start() { scheduler_.Start(); }

void IndexManager::RequestSync(
    absl::AnyInvocable<void(ServingStatus) &&> done) {
  scheduler_.Request([this, done = std::move(done)]() mutable {
    std::move(done)(GetStatus());
  });
}

}  // namespace clearmatch
