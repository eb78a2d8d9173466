// The daemon's IndexSources made from its config, in the order of the
// snapshot file's sources key: one signed-feed source per `feeds` entry,
// one per bank CSV, then the clearinghouse sources (ncmec_sources,
// stopncii_sources) over one ClearinghouseStore in
// <data_dir>/clearinghouses.sqlite, opened only when there are any.
//
//   CM_ASSIGN_OR_RETURN(DaemonIndexSources made,
//                       MakeDaemonIndexSources(config, cancelled));
//   keep made.clearinghouse_store alive longer than the sources
//
// Errors name the config key. Thread-safe (no state).
#ifndef CLEARMATCH_DAEMON_INDEX_SOURCES_H_
#define CLEARMATCH_DAEMON_INDEX_SOURCES_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "clearinghouse/clearinghouse_store.h"
#include "clearmatch/v1/config.pb.h"
#include "serving/index_source.h"

namespace clearmatch {

struct DaemonIndexSources {
  // Null without clearinghouse sources; borrowed by them.
  std::unique_ptr<ClearinghouseStore> clearinghouse_store;
  std::vector<std::unique_ptr<IndexSource>> sources;
};

// `cancelled` is polled by the clearinghouse sources' HTTP transfers.
absl::StatusOr<DaemonIndexSources> MakeDaemonIndexSources(
    const v1::DaemonConfig& config, std::function<bool()> cancelled);

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_INDEX_SOURCES_H_
