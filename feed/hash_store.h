// The local copy of every synced feed: entries and the checkpoint (last
// applied sequence) per feed, in one SQLite database in WAL mode. Each delta
// or snapshot is applied in ONE transaction together with its checkpoint, so
// after any crash the store is at the old or the new checkpoint, never
// between. A vPDQ entry keeps its frames in its row's hash column (as text
// that reads back exactly).
//
//   CM_ASSIGN_OR_RETURN(auto store, HashStore::Open({.path = "feed.sqlite"}));
//   CM_RETURN_IF_ERROR(store->CheckIntegrity());
//   CM_ASSIGN_OR_RETURN(std::optional<FeedCheckpoint> at,
//                       store->GetCheckpoint("stopncii"));
#ifndef CLEARMATCH_FEED_HASH_STORE_H_
#define CLEARMATCH_FEED_HASH_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "feed/feed_entry.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch {

// Where a feed stands in the store.
struct FeedCheckpoint {
  std::string feed_id;
  uint64_t sequence = 0;  // last applied delta or snapshot
  int64_t manifest_created_at_unix_seconds = 0;  // of the manifest applied

  bool operator==(const FeedCheckpoint&) const = default;
};

// Thread-safe: one connection, every call serialized by a mutex (calls are
// short except ApplyDelta / ReplaceWithSnapshot, which hold it for the whole
// transaction). Several processes may open the same file (SQLite locking).
class HashStore {
 public:
  struct Options {
    std::string path;  // created if missing
    // Called inside apply transactions every `progress_every` records with
    // the number of records written so far (progress logs; crash tests).
    std::function<void(int64_t)> progress;
    int64_t progress_every = 100000;
  };

  // Opens or creates the database and its schema. Errors: FAILED_PRECONDITION
  // cannot open; DATA_LOSS not a database or an unknown schema version;
  // RESOURCE_EXHAUSTED disk full. Does not scan the file: call
  // CheckIntegrity before serving from a store of unknown health.
  static absl::StatusOr<std::unique_ptr<HashStore>> Open(Options options);
  ~HashStore();

  // Runs PRAGMA integrity_check; DATA_LOSS with its first findings if the
  // file is damaged. O(size of the store).
  absl::Status CheckIntegrity();

  // nullopt if the feed was never synced.
  absl::StatusOr<std::optional<FeedCheckpoint>> GetCheckpoint(
      absl::string_view feed_id);
  absl::StatusOr<std::vector<FeedCheckpoint>> ListCheckpoints();

  // Applies delta `checkpoint.sequence` and moves the checkpoint to it, in
  // one transaction. Idempotent: a sequence at or below the current
  // checkpoint changes nothing and returns empty changes. FAILED_PRECONDITION
  // if it is not the next sequence (gap). ADD of an identical entry and
  // REMOVE of an absent id are no-ops. `changes` must be validated already.
  absl::StatusOr<FeedChanges> ApplyDelta(
      const FeedCheckpoint& checkpoint, const std::vector<FeedChange>& changes);

  // Replaces the feed's whole entry set with `entries` (a snapshot at
  // `checkpoint.sequence`) in one transaction. FAILED_PRECONDITION unless the
  // sequence is above the current checkpoint. Returns full_reload changes.
  absl::StatusOr<FeedChanges> ReplaceWithSnapshot(
      const FeedCheckpoint& checkpoint, const std::vector<FeedEntry>& entries);

  // Every entry of the feed (all feeds if `feed_id` is empty), by entry id.
  absl::StatusOr<std::vector<FeedEntry>> ListEntries(absl::string_view feed_id);
  absl::StatusOr<int64_t> CountEntries(absl::string_view feed_id);

 private:
  HashStore(Options options, SqliteConnection db)
      : options_(std::move(options)), db_(std::move(db)) {}
  // FAILED_PRECONDITION unless delta `checkpoint.sequence` follows the
  // stored checkpoint; false if it is applied already.
  absl::StatusOr<bool> IsNextDeltaLocked(const FeedCheckpoint& checkpoint)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::optional<FeedCheckpoint>> GetCheckpointLocked(
      absl::string_view feed_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status PutCheckpointLocked(const FeedCheckpoint& checkpoint)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReportProgress(int64_t written) const;

  const Options options_;
  absl::Mutex mu_;
  SqliteConnection db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clearmatch

#endif  // CLEARMATCH_FEED_HASH_STORE_H_
