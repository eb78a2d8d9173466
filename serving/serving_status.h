// What IndexManager reports about the served index and its sources: typed
// values that the Admin service and the metrics turn into their own forms.
//
//   ServingStatus status = manager.GetStatus();
//   if (!status.index.serving) ... NOT_SERVING ...
//   for (const SourceStatus& source : status.sources) ...
//
// Plain data; thread-compatible.
#ifndef CLEARMATCH_SERVING_SERVING_STATUS_H_
#define CLEARMATCH_SERVING_SERVING_STATUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "serving/index_source.h"

namespace clearmatch {

// How the served index was made.
enum class IndexOrigin {
  kNone,          // nothing served yet
  kSnapshotFile,  // read back from the snapshot file at start-up
  kSources,       // built from every entry of every source
  kSync,          // a sync's changes applied to the previous index
  kCompaction,    // the previous index with its delta folded in
};

// "", "snapshot_file", "sources", "sync", "compaction" (the Admin
// service's IndexStatus.loaded_from).
absl::string_view IndexOriginName(IndexOrigin origin);

enum class SyncOutcome {
  kNever,   // not synced since start-up
  kOk,      // the last sync succeeded
  kFailed,  // the last sync failed: see last_error
};

// One source, for the Admin rows and the per-source metrics. Its entries,
// entries by type and skipped records are in `state`.
struct SourceStatus {
  SourceKind kind = SourceKind::kSignedFeed;
  std::string name;   // IndexSource::name()
  SourceState state;  // as of the last sync (or start-up)
  SyncOutcome last_result = SyncOutcome::kNever;
  std::string last_error;  // the message of the last failure
  absl::Time last_sync = absl::InfinitePast();  // when the last one ended
  absl::Time last_success = absl::InfinitePast();
  absl::Duration last_sync_duration = absl::ZeroDuration();
  bool syncing = false;  // a sync of it is running now

  // How far behind its data is at `now`: now - state.published, or
  // absl::InfiniteDuration() when the source does not say.
  absl::Duration Lag(absl::Time now) const;
};

struct IndexStatus {
  bool serving = false;
  uint64_t version = 0;
  int64_t size = 0;
  int64_t delta_size = 0;
  absl::Time loaded = absl::InfinitePast();
  IndexOrigin loaded_from = IndexOrigin::kNone;
};

struct ServingStatus {
  IndexStatus index;
  std::vector<SourceStatus> sources;  // in the manager's order
};

}  // namespace clearmatch

#endif  // CLEARMATCH_SERVING_SERVING_STATUS_H_
