// ClearinghouseStore: one SQLite file per daemon
// (<data_dir>/clearinghouses.sqlite) with the entries and the progress of
// every clearinghouse source (NCMEC, StopNCII). Each upstream change carries
// the full new state of one entry id (or its withdrawal) and a timestamp;
// the last writer wins per (source, entry id), and a withdrawal leaves a
// tombstone so that an older re-add that arrives later stays out. The
// entries of a page and the progress they lead to are committed in one
// transaction: a crash loses the page as a whole or keeps it as a whole.
//
//   ClearinghouseStore::Options options;
//   options.path = data_dir + "/clearinghouses.sqlite";
//   CM_ASSIGN_OR_RETURN(auto store, ClearinghouseStore::Open(options));
//   CM_ASSIGN_OR_RETURN(ClearinghouseStore::PageResult page,
//                       store->ApplyChanges("ncmec", changes, progress));
//   ... apply page.changes to the index ...
//
// The file is created with mode 0600 (SqliteConnection; its -wal and -shm
// files follow the database file's mode), WAL, synchronous FULL.
//
// Thread-safe (one mutex): several sources share the store and sync on
// different threads.
#ifndef CLEARMATCH_CLEARINGHOUSE_CLEARINGHOUSE_STORE_H_
#define CLEARMATCH_CLEARINGHOUSE_CLEARINGHOUSE_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "bank/hash_entry.h"
#include "serving/index_source.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch {

struct SourceProgress {
  // The source's own checkpoint (NCMEC: window end; StopNCII:
  // nextSetTimestamp).
  std::string checkpoint;
  // Resumable paging state (e.g. window + next URL); empty: none.
  std::string cursor;
  int64_t cursor_saved_at = 0;  // unix seconds the cursor was stored (its age)
  bool operator==(const SourceProgress&) const = default;
};

// One upstream change of one entry id: its full new state, or its
// withdrawal.
struct SourceChange {
  std::string entry_id;   // NCMEC "<member id>-<id>", StopNCII the hash value
  int64_t timestamp = 0;  // upstream time of the change (unix seconds)
  bool removed = false;   // tombstone / withdrawal
  // When !removed: every hash of the entry (entry_id, bank, source_feed ==
  // the source name, category, added_at set). May be empty (an entry with
  // no usable hash): the id then has no entries.
  std::vector<HashEntry> entries;
};

class ClearinghouseStore {
 public:
  struct Options {
    std::string path;
  };

  // Opens or creates the file. FAILED_PRECONDITION if it cannot be
  // created or opened; DATA_LOSS if it is not a database of this schema.
  static absl::StatusOr<std::unique_ptr<ClearinghouseStore>> Open(
      Options options);
  ~ClearinghouseStore();

  // DATA_LOSS naming the findings when SQLite's integrity check fails.
  absl::Status CheckIntegrity();

  // The progress last stored for `source`; none before the first.
  absl::StatusOr<std::optional<SourceProgress>> GetProgress(
      absl::string_view source);

  // In ONE transaction: applies each change whose timestamp is >= the last
  // one stored for its (source, entry_id) (older changes are stale:
  // skipped, counted), replacing every entry under that id, keeping a
  // tombstone row for removals; then stores `progress`. Within `changes`,
  // later elements win over earlier ones at equal timestamps. Returns what
  // the index must do: removed = ids that had entries before the page
  // (replaced or withdrawn), added = the new entries (the last state of
  // each id in the page). INVALID_ARGUMENT (nothing stored) for an entry
  // whose id, bank or source_feed does not match, or whose content does not
  // match its type.
  struct PageResult {
    EntryChanges changes;
    int64_t stale = 0;
  };
  absl::StatusOr<PageResult> ApplyChanges(
      absl::string_view source, const std::vector<SourceChange>& changes,
      const SourceProgress& progress);

  // Only the progress (e.g. a cursor saved after an empty page).
  absl::Status SaveProgress(absl::string_view source,
                            const SourceProgress& progress);

  // Every entry of `source`, ordered by entry id; bank and source_feed are
  // the source's name.
  absl::StatusOr<std::vector<HashEntry>> ListEntries(absl::string_view source);
  absl::StatusOr<int64_t> CountEntries(absl::string_view source);
  // Entries of `source` by HashTypeName ("pdq", "md5", ...); types without
  // entries are absent.
  absl::StatusOr<std::map<std::string, int64_t>> CountEntriesByType(
      absl::string_view source);

 private:
  ClearinghouseStore(Options options, SqliteConnection db)
      : options_(std::move(options)), db_(std::move(db)) {}
  absl::Status SaveProgressLocked(absl::string_view source,
                                  const SourceProgress& progress)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  absl::Mutex mu_;
  SqliteConnection db_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_CLEARINGHOUSE_STORE_H_
