// IndexUpdater: keeps the served index in step with its sources (signed
// feeds synced into one HashStore per feed, and static bank CSVs), off the
// request path. It loads the first index (from the snapshot file when that
// still matches the sources, so a restarted daemon serves at once), syncs
// the feeds on a timer or on request, applies their changes incrementally
// (IndexBuilder::Apply), swaps the result into the IndexHolder, compacts
// when the delta grows, and persists every new index as a snapshot file.
//
//   CM_ASSIGN_OR_RETURN(auto updater,
//                       IndexUpdater::Create(options, holder, metrics));
//   CM_RETURN_IF_ERROR(updater->LoadInitial());   // may leave it unserved
//   updater->Start();                             // background syncs
//   updater->RequestSync([](IndexUpdater::Status s) { ... });
//
// The index version is the sum of the feeds' checkpoints (it only grows).
// Until every configured feed has been synced once the daemon does not
// serve (an empty index would allow everything).
// Thread-safe. Syncs run one at a time, on the background thread (or the
// caller's, for SyncNow); status reads never wait for a sync.
#ifndef CLEARMATCH_DAEMON_INDEX_UPDATER_H_
#define CLEARMATCH_DAEMON_INDEX_UPDATER_H_

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
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bank/hash_entry.h"
#include "daemon/daemon_metrics.h"
#include "feed/feed_source.h"
#include "feed/feed_syncer.h"
#include "feed/hash_store.h"
#include "index/index_builder.h"
#include "index/index_holder.h"

namespace clearmatch {

class IndexUpdater {
 public:
  struct FeedOptions {
    std::string url;  // http(s)://, file:// or a directory
    std::string public_key_pem;
    std::string feed_id;  // empty: the first manifest's
    std::string ca_file;  // https: PEM CA bundle; empty = the system's
  };
  struct CsvOptions {
    std::string path;
    std::string bank;  // for rows without one
  };
  struct Options {
    std::string data_dir;  // created if missing
    std::vector<FeedOptions> feeds;
    std::vector<CsvOptions> bank_csvs;
    // Between background syncs; zero: only the first, and on request.
    absl::Duration sync_interval = absl::Minutes(5);
    IndexBuilder::Options builder;
    // Called after every swap (e.g. to mark the health service SERVING).
    std::function<void(const IndexSnapshot&)> on_swap;
  };

  struct FeedStatus {
    std::string url;
    std::string feed_id;
    uint64_t sequence = 0;
    int64_t entries = 0;
    std::string last_result = "never";
    absl::Time last_sync = absl::InfinitePast();
    absl::Time last_success = absl::InfinitePast();
    absl::Time manifest_created = absl::InfinitePast();
  };
  struct Status {
    bool serving = false;
    uint64_t version = 0;
    int64_t size = 0;
    int64_t delta_size = 0;
    absl::Time loaded = absl::InfinitePast();
    std::string loaded_from;  // "snapshot_file", "sources", "sync"
    std::vector<FeedStatus> feeds;
  };

  // Opens data_dir and a HashStore per feed; INVALID_ARGUMENT for a bad
  // feed URL or key. Borrows `holder` and `metrics`.
  static absl::StatusOr<std::unique_ptr<IndexUpdater>> Create(
      Options options, IndexHolder& holder, DaemonMetrics& metrics);
  ~IndexUpdater();  // stops the background thread

  // Serves data_dir/index.snap if it was made from exactly the current
  // sources, else builds from the stores and CSVs when every feed has a
  // checkpoint. OK without serving when a feed was never synced. Errors:
  // an unreadable or invalid bank CSV, store errors.
  absl::Status LoadInitial();

  // Starts the background thread: a sync at once, then every interval.
  void Start();

  // Asks the background thread for a sync; `done` runs on it afterwards.
  void RequestSync(absl::AnyInvocable<void(Status) &&> done);

  // One sync of every feed and the swap, on the calling thread. The first
  // feed error, if any (the others still sync).
  absl::Status SyncNow();

  Status GetStatus() const;

 private:
  struct Feed {
    FeedOptions options;
    std::string store_path;
    std::unique_ptr<HashStore> store;
    std::unique_ptr<FeedSource> source;
    std::unique_ptr<FeedSyncer> syncer;
  };

  IndexUpdater(Options options, IndexHolder& holder, DaemonMetrics& metrics)
      : options_(std::move(options)), holder_(holder), metrics_(metrics) {}

  void Run();
  absl::Status SyncLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  // Every entry of every source, in a new main layer.
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> BuildFromSources()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  // "feed ... seq\n csv ... sha256\n": what a snapshot file was made from.
  absl::StatusOr<std::string> SourcesKey()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  absl::StatusOr<bool> AllFeedsSynced() ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  absl::StatusOr<uint64_t> StoreVersion()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  absl::Status Publish(std::shared_ptr<const IndexSnapshot> snapshot,
                       absl::string_view from, bool persist)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);
  void RefreshFeedStatus(size_t i, const absl::Status& result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu_);

  const Options options_;
  IndexHolder& holder_;
  DaemonMetrics& metrics_;
  const IndexBuilder builder_{options_.builder};

  // Held for a whole sync (slow); never while serving a request.
  absl::Mutex sync_mu_;
  std::vector<Feed> feeds_ ABSL_GUARDED_BY(sync_mu_);
  std::vector<HashEntry> csv_entries_ ABSL_GUARDED_BY(sync_mu_);
  bool csv_loaded_ ABSL_GUARDED_BY(sync_mu_) = false;

  // Short: status and the background thread's wake-ups.
  mutable absl::Mutex mu_;
  Status status_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::AnyInvocable<void(Status) &&>> pending_
      ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_INDEX_UPDATER_H_
