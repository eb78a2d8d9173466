// IndexSource: one source of bank entries for the served index (a signed
// feed, a static bank CSV; clearinghouse adapters next). The IndexManager
// owns its sources and syncs each on a thread of its own, one call into a
// source at a time (Cancel excepted).
//
//   CM_ASSIGN_OR_RETURN(EntryChanges changes, source.Sync());
//   if (changes.full_reload) {
//     CM_ASSIGN_OR_RETURN(std::vector<HashEntry> all, source.ListEntries());
//   }
//   CM_ASSIGN_OR_RETURN(SourceState state, source.State());
//
// A source keeps its own progress (a checkpoint in its store, a file's
// digest): everything it has committed is what ListEntries returns, and
// State().version says how far it is. The index version is the sum of the
// sources' versions, so a source's version must never go down.
//
// Thread-compatible: one call at a time, except Cancel, which may come from
// another thread while Sync runs.
#ifndef CLEARMATCH_SERVING_INDEX_SOURCE_H_
#define CLEARMATCH_SERVING_INDEX_SOURCE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bank/hash_entry.h"

namespace clearmatch {

// What kind of source it is. Admin and metrics report the synced kinds
// (everything but kBankCsv) as "feeds".
enum class SourceKind {
  kSignedFeed,  // FeedSyncer into a HashStore
  kBankCsv,     // a static file, loaded once
  kNcmec,       // NCMEC hash sharing API (clearinghouse/)
  kStopNcii,    // StopNCII API (clearinghouse/)
};

// What one Sync changed, in the form IndexBuilder::Apply takes: remove
// every entry under a key in `removed` first, then add `added`. A key may be
// in both (its entry was replaced). When `full_reload` is set the lists
// mean nothing: rebuild from ListEntries.
struct EntryChanges {
  std::vector<EntryKey> removed;
  std::vector<HashEntry> added;
  bool full_reload = false;

  bool empty() const {
    return removed.empty() && added.empty() && !full_reload;
  }
};

// Where a source stands, as far as its own store says.
struct SourceState {
  std::string id;        // the publisher's id of the feed; may be empty
  bool synced = false;   // has entries to serve (synced at least once)
  uint64_t version = 0;  // its part of the index version (e.g. a sequence)
  int64_t entries = 0;   // entries it holds
  absl::Time published = absl::InfinitePast();  // of the data it holds
  // Entries held, by HashTypeName ("pdq", "md5", ...); may be left empty by
  // sources that do not count them.
  std::map<std::string, int64_t> entries_by_type;
  // Records fetched but not turned into entries since the source was made,
  // by reason (e.g. "fingerprint:pdna", "signal:VideoTMK", "bad_hash").
  std::map<std::string, int64_t> skipped;
};

class IndexSource {
 public:
  virtual ~IndexSource() = default;

  // The feed URL or the file path: for logs and errors.
  virtual const std::string& name() const = 0;
  virtual SourceKind kind() const = 0;

  // Fetches what is new and commits it to the source's store. On error the
  // source keeps what it committed before the error; if that moved its
  // version, the manager rebuilds from ListEntries.
  virtual absl::StatusOr<EntryChanges> Sync() = 0;

  // Every entry the source holds now (for a full build).
  virtual absl::StatusOr<std::vector<HashEntry>> ListEntries() = 0;

  virtual absl::StatusOr<SourceState> State() = 0;

  // One or more lines that change whenever the entries do (a checkpoint, a
  // digest): a snapshot file is reused only if its sources key, made of
  // these, is still the same.
  virtual absl::StatusOr<std::string> ContentKey() = 0;

  // Asks a running Sync to return soon, with CANCELLED. The manager calls
  // it at shutdown, from another thread, before it joins the sync threads;
  // it syncs the source no more afterwards. Sources whose Sync is always
  // quick need not override it.
  virtual void Cancel() {}
};

}  // namespace clearmatch

#endif  // CLEARMATCH_SERVING_INDEX_SOURCE_H_
