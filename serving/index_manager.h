// IndexManager: keeps the served index in step with its IndexSources, off
// the request path. It loads the first index (from the snapshot file when
// that still matches the sources, so a restarted daemon serves at once),
// syncs the sources on a timer or on request, applies their changes
// incrementally (IndexBuilder::Apply), swaps the result into the
// IndexHolder, compacts when the delta grows, and persists every new index
// (PersistedIndex).
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
// and reports its error in its SourceStatus; the others still sync.
// Thread-safe. Syncs run one at a time, on the background thread or the
// caller's (SyncOnce, for tests); status reads never wait for a sync.
#ifndef CLEARMATCH_SERVING_INDEX_MANAGER_H_
#define CLEARMATCH_SERVING_INDEX_MANAGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
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

namespace clearmatch {

class IndexManager {
 public:
  struct Options {
    std::string data_dir;  // the snapshot file's; created if missing
    // Between background syncs; zero: only the first, and on request.
    absl::Duration sync_interval = absl::Minutes(5);
    IndexBuilder::Options builder;
    // Called on the sync thread after every swap (e.g. to mark the health
    // service SERVING and set gauges).
    std::function<void(const IndexStatus&)> on_swap;
    // Called on the sync thread whenever a source's status was refreshed
    // (at Create and after each of its syncs).
    std::function<void(const SourceStatus&)> on_source_status;
  };

  // Takes the sources; borrows `holder`. FAILED_PRECONDITION if data_dir
  // cannot be made.
  static absl::StatusOr<std::unique_ptr<IndexManager>> Create(
      Options options, std::vector<std::unique_ptr<IndexSource>> sources,
      IndexHolder& holder);
  ~IndexManager();  // stops the background thread

  // Serves the snapshot file if it was made from exactly the current
  // sources, else builds from the sources when every one has synced once.
  // OK without serving when one has not. Errors: those of the sources
  // (an unreadable bank CSV...) and of the first publish.
  absl::Status LoadInitial();

  // Starts the background thread: a sync at once, then every interval.
  void Start();

  // Asks the background thread for a sync; `done` runs on it afterwards.
  void RequestSync(absl::AnyInvocable<void(ServingStatus) &&> done);

  // One sync of every source and the swap, on the calling thread: the step
  // the background thread repeats. The first source error, if any (the
  // others still sync), else an error building or publishing the index.
  absl::Status SyncOnce();

  ServingStatus GetStatus() const;

 private:
  // What one sync of every source asks of the index.
  struct Round {
    std::vector<EntryKey> removed;
    std::vector<HashEntry> added;
    bool rebuild = false;
    bool changed = false;
    absl::Status first_error;
  };

  IndexManager(Options options,
               std::vector<std::unique_ptr<IndexSource>> sources,
               IndexHolder& holder);

  void Run();
  absl::Status SyncLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  // Syncs source `i` and adds its changes to `round`; errors only for
  // failures to read the source's state (its sync error goes to round).
  absl::Status SyncSource(size_t i, Round& round)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  // Publishes what `round` asks for: a rebuild, an Apply (and compaction).
  absl::Status ApplyRound(Round round) ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  // Every entry of every source, in a new main layer.
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> BuildFromSources()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  // "clearmatch index sources v1\n" and every source's ContentKey.
  absl::StatusOr<std::string> SourcesKey()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  absl::StatusOr<bool> AllSourcesSynced()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  absl::StatusOr<uint64_t> SourcesVersion()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  absl::Status Publish(std::shared_ptr<const IndexSnapshot> snapshot,
                       IndexOrigin origin, bool persist)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  // Re-reads source `i`'s state (kept as it was if that fails).
  void RefreshSourceState(size_t i) ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  void RecordSyncResult(size_t i, const absl::Status& result);

  const Options options_;
  IndexHolder& holder_;
  const IndexBuilder builder_{options_.builder};
  const PersistedIndex persisted_{options_.data_dir};

  // Held for a whole sync (slow); never while serving a request.
  absl::Mutex sync_mu_;
  const std::vector<std::unique_ptr<IndexSource>> sources_
      ABSL_PT_GUARDED_BY(sync_mu_);

  // Short: status and the background thread's wake-ups.
  mutable absl::Mutex mu_;
  ServingStatus status_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::AnyInvocable<void(ServingStatus) &&>> pending_
      ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_SERVING_INDEX_MANAGER_H_
