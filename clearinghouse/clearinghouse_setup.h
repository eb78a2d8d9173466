// The clearinghouse parts of clearmatchd, made from its config
// (ncmec_sources, stopncii_sources): the IndexSources over one shared
// ClearinghouseStore, the FeedbackSinks of the sources with feedback on,
// and the connection checks of `clearmatch source check`. Credentials are
// read here, from files that must be private to their owner.
//
//   CM_ASSIGN_OR_RETURN(auto sources,
//                       MakeClearinghouseSources(config, store, cancelled));
//   CM_ASSIGN_OR_RETURN(auto sinks, MakeFeedbackSinks(config, cancelled));
//
// Errors name the config key ("ncmec_sources[0].credentials_file: ...").
// Thread-safe (no state).
#ifndef CLEARMATCH_CLEARINGHOUSE_CLEARINGHOUSE_SETUP_H_
#define CLEARMATCH_CLEARINGHOUSE_CLEARINGHOUSE_SETUP_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearinghouse/clearinghouse_store.h"
#include "clearinghouse/feedback_sink.h"
#include "clearmatch/v1/config.pb.h"
#include "serving/index_source.h"

namespace clearmatch {

// Whether the config has any clearinghouse source (and so needs a store).
bool HasClearinghouseSources(const v1::DaemonConfig& config);

// One source per ncmec_sources entry, then per stopncii_sources entry, all
// borrowing `store`. `cancelled` is polled by their HTTP transfers (the
// daemon's shutdown).
absl::StatusOr<std::vector<std::unique_ptr<IndexSource>>>
MakeClearinghouseSources(const v1::DaemonConfig& config,
                         ClearinghouseStore& store,
                         std::function<bool()> cancelled);

// One sink per source with feedback: true.
absl::StatusOr<std::vector<std::unique_ptr<FeedbackSink>>> MakeFeedbackSinks(
    const v1::DaemonConfig& config, std::function<bool()> cancelled);

// What `clearmatch source check` found out about one source.
struct ConnectionReport {
  std::string name;     // the source's name
  std::string kind;     // "ncmec" or "stopncii"
  absl::Status status;  // credentials, reachability, authentication
  std::string who;      // on success: who the platform is to the service
};

// Reads each source's credentials and asks its service who we are (NCMEC
// GET /v2/status; StopNCII one page of FetchHashes). Never throws away a
// source: one report per source, in config order.
std::vector<ConnectionReport> CheckClearinghouseConnections(
    const v1::DaemonConfig& config);

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_CLEARINGHOUSE_SETUP_H_
