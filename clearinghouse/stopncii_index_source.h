// StopNciiIndexSource: the hashes of the StopNCII API as an IndexSource.
// Each Sync pages through FetchHashes from the checkpoint and applies every
// page to the ClearinghouseStore in one transaction with its progress, so a
// crash at any point loses nothing and a restart resumes where it was.
//
//   StopNciiIndexSource::Options options;
//   options.name = "stopncii";
//   options.base_url = "https://api.stopncii.org/v1";
//   options.credentials = credentials;
//   CM_ASSIGN_OR_RETURN(auto source, StopNciiIndexSource::Create(options,
//   store)); CM_ASSIGN_OR_RETURN(EntryChanges changes, source->Sync());
//
// Records: ImagePDQ -> a PDQ entry, VideoMD5 -> an MD5 entry, entry id =
// the hash value (lowercase), bank = source_feed = the source's name,
// added_at = lastModtimestamp. hashStatus Withdrawn/Deleted removes the
// entry; Received/Active sets it. Other signal types and statuses are
// counted in State().skipped.
//
// Progress in the store: checkpoint "<nextSetTimestamp of the last complete
// run, or -> <pages applied>" and, mid-run, cursor "<startTimestamp>
// <nextPageToken>" with its age; a cursor older than cursor_max_age is
// dropped and the run starts again from the checkpoint (applying a record
// again is harmless: it is the full state).
//
// Thread-compatible (see IndexSource); the store is shared.
#ifndef CLEARMATCH_CLEARINGHOUSE_STOPNCII_INDEX_SOURCE_H_
#define CLEARMATCH_CLEARINGHOUSE_STOPNCII_INDEX_SOURCE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clearinghouse/clearinghouse_store.h"
#include "clearinghouse/credentials.h"
#include "clearinghouse/stopncii_client.h"
#include "http/http_client.h"
#include "serving/index_source.h"

namespace clearmatch {

class StopNciiIndexSource final : public IndexSource {
 public:
  struct Options {
    std::string name = "stopncii";  // bank and source_feed of its entries
    std::string base_url;           // https://, http:// on loopback only
    StopNciiCredentials credentials;
    std::string ca_file;                  // PEM bundle; empty: the system's
    int64_t start_time_unix_seconds = 0;  // where the first run starts
    std::string category;                 // of its entries; may be empty
    int page_size = 1000;                 // pageSize of FetchHashes
    int max_pages_per_sync = 1000;        // one Sync's bound
    // Records fetched before they are stored, in one transaction with the
    // progress of the last page (a page is never split): fewer, larger
    // transactions write each B-tree page of the store once for many
    // random hash values instead of once per page.
    int records_per_transaction = 50000;
    absl::Duration cursor_max_age = absl::Minutes(30);
    StopNciiJsonLimits limits;
    HttpClient::Options http;  // ca_file above wins over http.ca_file
    std::function<absl::Time()> now = [] { return absl::Now(); };
  };

  // Makes the HTTP client; fetches nothing. INVALID_ARGUMENT naming the
  // option for an empty name, a page size outside 1..10000, a bad URL.
  static absl::StatusOr<std::unique_ptr<StopNciiIndexSource>> Create(
      Options options, ClearinghouseStore& store);

  const std::string& name() const override { return options_.name; }
  SourceKind kind() const override { return SourceKind::kStopNcii; }
  // Up to max_pages_per_sync pages; what was applied. On an error the pages
  // before it stay applied (and State().version says so).
  absl::StatusOr<EntryChanges> Sync() override;
  absl::StatusOr<std::vector<HashEntry>> ListEntries() override;
  absl::StatusOr<SourceState> State() override;
  // "stopncii NAME BASE_URL\n  checkpoint C\n" (C counts the pages applied).
  absl::StatusOr<std::string> ContentKey() override;

 private:
  // Where the source stands (the parsed SourceProgress).
  struct Position {
    std::optional<int64_t> checkpoint;  // set by the first complete run
    int64_t pages = 0;                  // pages applied, ever: the version
    int64_t run_start = 0;              // startTimestamp of the current run
    std::string page_token;             // empty: the run starts afresh
    absl::Duration stale_cursor_age;    // > 0: a cursor this old was dropped
  };

  StopNciiIndexSource(Options options, ClearinghouseStore& store,
                      std::unique_ptr<StopNciiClient> client)
      : options_(std::move(options)),
        store_(store),
        client_(std::move(client)) {}

  absl::StatusOr<Position> LoadPosition();
  // Fetches the page at `position` and applies it; advances `position`.
  // Returns whether the run is complete.
  // Pages fetched and not stored yet.
  struct Batch {
    std::vector<SourceChange> changes;
    std::map<std::string, int64_t> skipped;
    int64_t records = 0;
    int pages = 0;
  };

  // Fetches the page at `position` into `batch` and advances `position`
  // (and `progress`, what storing the batch records). Whether the run is
  // complete.
  absl::StatusOr<bool> FetchPage(Position& position, SourceProgress& progress,
                                 Batch& batch);
  // Stores `batch` with `progress` in one transaction; adds what it changed
  // to `changes` and empties it.
  absl::Status Store(const SourceProgress& progress, Batch& batch,
                     EntryChanges& changes);
  absl::StatusOr<StopNciiPage> Fetch(Position& position);
  absl::StatusOr<std::vector<SourceChange>> ToChanges(
      const StopNciiPage& page) const;

  const Options options_;
  ClearinghouseStore& store_;
  const std::unique_ptr<StopNciiClient> client_;
  std::map<std::string, int64_t> skipped_;  // since the source was made
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_STOPNCII_INDEX_SOURCE_H_
