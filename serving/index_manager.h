// IndexManager: keeps the served index in step with its IndexSources, off
// the request path. It loads the first index (from the snapshot file when
// that still matches the sources, so a restarted daemon serves at once),
// syncs every source on a thread of its own (its timer or on request),
// applies each source's changes as soon as its Sync returns
// (IndexBuilder::Apply), swaps the result into the IndexHolder, compacts
// when the delta grows, and persists every new index (PersistedIndex).
//
//   std::vector<std::unique_ptr<IndexSource>> sources = ...;
//   CM_ASSIGN_OR_RETURN(auto manager, IndexManager::Create(
//                           options, std::move(sources), holder));
//   CM_RETURN_IF_ERROR(manager->LoadInitial());   // may leave it unserved
//   manager->Start();                             // background syncs
//   manager->RequestSync([](ServingStatus s) { ... });
//
// The index version is the sum of the sources' versions (it only grows).
// Until every source has synced once nothing is served (an empty index
// would allow everything). A failing source keeps the last index serving
// and reports its error in its SourceStatus; the others still sync. A slow
// source delays only itself, and the rebuilds (first serve, a full reload,
// a failed sync that moved a version), which read every source's entries
// and so wait for the syncs in progress; other sources' changes are
// applied meanwhile and kept by the rebuild.
//
// Thread-safe. Changes are applied one at a time (the apply mutex); a
// source is called by one thread at a time (its own mutex); status reads
// never wait for a sync or an apply.
#ifndef CLEARMATCH_SERVING_INDEX_MANAGER_H_
#define CLEARMATCH_SERVING_INDEX_MANAGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "index/index_builder.h"
#include "index/index_holder.h"
#include "serving/index_source.h"
#include "serving/persisted_index.h"
#include "serving/serving_status.h"
#include "serving/sync_scheduler.h"

namespace clearmatch {

class IndexManager {
 public:
  struct Options {
    std::string data_dir;  // the snapshot file's; created if missing
    // Between a source's background syncs; zero: only the first, and on
    // request.
    absl::Duration sync_interval = absl::Minutes(5);
    IndexBuilder::Options builder;
    // Called after every swap (e.g. to mark the health service SERVING and
    // set gauges), one at a time, on the thread that made the new index.
    std::function<void(const IndexStatus&)> on_swap;
    // Called whenever a source's status was refreshed (at Create and after
    // each of its syncs), on the thread that synced it: calls for
    // different sources may overlap.
    std::function<void(const SourceStatus&)> on_source_status;
  };

  // Takes the sources; borrows `holder`. FAILED_PRECONDITION if data_dir
  // cannot be made.
  static absl::StatusOr<std::unique_ptr<IndexManager>> Create(
      Options options, std::vector<std::unique_ptr<IndexSource>> sources,
      IndexHolder& holder);
  // Stops the sync threads: cancels the running syncs (IndexSource::Cancel),
  // joins, and answers the requests still waiting.
  ~IndexManager();

  // Serves the snapshot file if it was made from exactly the current
  // sources, else builds from the sources when every one has synced once.
  // OK without serving when one has not. Errors: those of the sources
  // (an unreadable bank CSV...) and of the first publish. Before Start.
  absl::Status LoadInitial();

  // Starts a sync thread per source: a sync at once, then every interval.
  void Start();

  // Asks every source's thread for a sync; `done` runs once each of them
  // has finished a sync that started after this call (on the thread of
  // the last one), or at shutdown.
  void RequestSync(absl::AnyInvocable<void(ServingStatus) &&> done);

  // One sync of every source, each applied when it returns, on the calling
  // thread: the step the sync threads repeat. The first error, of a
  // source's Sync or of the index update after it (the other sources still
  // sync).
  absl::Status SyncOnce();

  ServingStatus GetStatus() const;

 private:
  // A source and the mutex that makes its calls one at a time.
  struct Slot {
    explicit Slot(std::unique_ptr<IndexSource> s)
        : name(s->name()), source(std::move(s)) {}
    const std::string name;  // source->name(), for logs
    absl::Mutex call_mu;
    const std::unique_ptr<IndexSource> source ABSL_PT_GUARDED_BY(call_mu);
  };
  // A source's version and content key: as read from it, or as much of it
  // as the served index holds.
  struct SourceMark {
    uint64_t version = 0;
    std::string key;  // IndexSource::ContentKey()
  };
  // What one Sync of source `source` hands to the index.
  struct SourceUpdate {
    size_t source = 0;
    SourceMark mark;  // after the sync
    EntryChanges changes;
  };
  // The result of one Sync, read from the source under its mutex.
  struct Fetched {
    SourceUpdate update;
    bool rebuild = false;  // full reload, or a failure that moved it
    absl::Status error;    // the Sync's
  };
  // Every source's entries and marks, for a rebuild.
  struct Listing {
    std::vector<HashEntry> entries;
    std::vector<SourceMark> marks;
    bool all_synced = true;
  };

  IndexManager(Options options,
               std::vector<std::unique_ptr<IndexSource>> sources,
               IndexHolder& holder);

  // Syncs source `i` and applies what it fetched: SyncOnce's and the sync
  // threads' step. Errors as for SyncOnce.
  absl::Status SyncSource(size_t i);
  // Runs source i's Sync and reads its state, under its mutex; errors only
  // for failures to read the source's state.
  absl::StatusOr<Fetched> FetchSource(size_t i);
  // Applies `fetched` to the served index, or rebuilds, or (nothing served
  // yet) waits for the first rebuild.
  absl::Status Deliver(Fetched fetched);
  // Publishes `update` incrementally (and compacts).
  absl::Status ApplyLocked(const IndexSnapshot& current, SourceUpdate update)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Every entry of every source in a new main layer, plus the updates
  // applied while it was listed; publishes it once every source synced.
  // `first_serve`: nothing to do if another rebuild served meanwhile.
  absl::Status Rebuild(bool first_serve);
  // Publishes a rebuilt snapshot of the sources at `marks`, with `log`
  // applied to it again.
  absl::Status PublishRebuiltLocked(
      std::shared_ptr<const IndexSnapshot> snapshot,
      std::vector<SourceMark> marks, std::vector<SourceUpdate> log)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Reads every source's entries and mark, one source mutex at a time.
  absl::StatusOr<Listing> ListAllSources();
  static absl::StatusOr<SourceMark> ReadMark(Slot& slot, bool& synced)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(slot.call_mu);
  // "clearmatch index sources v1\n" and the ContentKey of every source as
  // the served index holds it.
  std::string SourcesKeyLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  uint64_t AppliedVersionLocked() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  bool AllSourcesSynced() const;
  absl::Status Publish(std::shared_ptr<const IndexSnapshot> snapshot,
                       IndexOrigin origin, bool persist)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Keeps source `i`'s new state (the old one if reading it failed) and
  // reports its status.
  void ReportSourceState(size_t i, const absl::StatusOr<SourceState>& state);
  void RecordSyncResult(size_t i, const absl::Status& result, absl::Time start);
  // Asks every source's running Sync to return (the one call allowed to
  // overlap another).
  void CancelSources() ABSL_NO_THREAD_SAFETY_ANALYSIS;

  const Options options_;
  IndexHolder& holder_;
  const IndexBuilder builder_{options_.builder};
  const PersistedIndex persisted_{options_.data_dir};
  const std::vector<std::unique_ptr<Slot>> sources_;

  // Held by one rebuild from its first listing to its publish.
  absl::Mutex rebuild_mu_ ABSL_ACQUIRED_BEFORE(apply_mu_);
  // Held for an apply, swap and persist; never while calling a source.
  absl::Mutex apply_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::vector<SourceMark> applied_ ABSL_GUARDED_BY(apply_mu_);
  // While a rebuild lists the sources: the updates applied meanwhile.
  std::vector<SourceUpdate>* rebuild_log_ ABSL_GUARDED_BY(apply_mu_) = nullptr;
  bool rebuild_due_ ABSL_GUARDED_BY(apply_mu_) = false;  // the last failed

  // Short: the status.
  mutable absl::Mutex mu_;
  ServingStatus status_ ABSL_GUARDED_BY(mu_);

  SyncScheduler scheduler_;  // last: its threads use the members above
};

}  // namespace clearmatch

#endif  // CLEARMATCH_SERVING_INDEX_MANAGER_H_
