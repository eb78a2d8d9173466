// NcmecIndexSource: NCMEC's hash sharing list (which carries Take It Down's
// hashes) as an IndexSource, kept in a ClearinghouseStore.
//
//   NcmecIndexSource::Options options;
//   options.name = "ncmec";
//   options.base_url = "https://report.cybertip.org/hashsharing";
//   options.credentials = credentials;   // ParseNcmecCredentials
//   CM_ASSIGN_OR_RETURN(auto source, NcmecIndexSource::Create(options, store));
//   CM_ASSIGN_OR_RETURN(EntryChanges changes, source->Sync());
//
// Sync walks time windows [from, to] (whole seconds, UTC) from the stored
// checkpoint (or start_time) towards now - end_lag. A window grows while it
// holds few entries and shrinks when its first page says it holds more than
// shrink_above_entries; a one-second window is paged to the end however
// big it is. Every page of a window, followed through its `next` chain, is
// applied to the store in one transaction together with the progress:
//   checkpoint "<end of the last complete window> <pages applied>
//               <caught up: 1 once a window has ended at now - end_lag>"
//   cursor     "<from> <to> <next path>" while a window is unfinished
// State().synced is "caught up": until the whole list has been read once,
// the daemon serves nothing (a partial list would allow the rest).
// The checkpoint moves to a window's end only once its chain is exhausted
// (entries within a window come in no time order). A stored cursor younger
// than cursor_max_age resumes its window where it stopped; an older one
// restarts the window. One Sync applies at most max_pages_per_sync pages,
// so a first sync of a huge list makes steady progress over several.
// Each window starts at the previous one's `to`: that second is asked for
// twice, which is safe whether the API counts `to` in or not. The next page
// of a chain is fetched on a helper thread while the current one is stored,
// so the http options' sleep and cancelled may be called from it.
//
// Entries: image md5, sha1 and pdq and video md5 and sha1 become HashEntry
// (entry id "<member id>-<id>", bank and source_feed the source name,
// category the classification, added_at the entry's timestamp); tombstones
// remove the entry; other fingerprints are counted in State().skipped as
// "fingerprint:<tag>", stale changes as "stale".
//
// Thread-compatible (see IndexSource); the store is shared and borrowed.
#ifndef CLEARMATCH_CLEARINGHOUSE_NCMEC_INDEX_SOURCE_H_
#define CLEARMATCH_CLEARINGHOUSE_NCMEC_INDEX_SOURCE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clearinghouse/clearinghouse_store.h"
#include "clearinghouse/credentials.h"
#include "clearinghouse/ncmec_client.h"
#include "clearinghouse/ncmec_xml.h"
#include "http/http_client.h"
#include "serving/index_source.h"

namespace clearmatch {

class NcmecIndexSource final : public IndexSource {
 public:
  struct Options {
    std::string name = "ncmec";  // bank and source_feed of its entries
    std::string base_url;        // https:// (http:// only on loopback)
    NcmecCredentials credentials;
    std::string ca_file;                  // PEM bundle; empty: the system's
    int64_t start_time_unix_seconds = 0;  // where the first sync starts
    HttpClient::Options http;             // its ca_file is set from ca_file
    NcmecXmlLimits limits;
    // Window policy (see the file comment).
    absl::Duration initial_window = absl::Hours(1);
    absl::Duration max_window = absl::Hours(24 * 30);
    int64_t shrink_above_entries = 100000;
    int64_t grow_below_entries = 10000;
    absl::Duration end_lag = absl::Seconds(5);
    absl::Duration cursor_max_age = absl::Hours(12);
    int max_pages_per_sync = 2000;
    std::function<absl::Time()> now;  // default absl::Now
  };

  // INVALID_ARGUMENT naming the option (name, base_url, credentials, window
  // options); errors of NcmecClient::Create. Fetches nothing.
  static absl::StatusOr<std::unique_ptr<NcmecIndexSource>> Create(
      Options options, ClearinghouseStore& store);

  const std::string& name() const override { return options_.name; }
  SourceKind kind() const override { return SourceKind::kNcmec; }
  // What every page applied in this Sync changed (never a full reload).
  // On error, what was applied before the error stays applied.
  absl::StatusOr<EntryChanges> Sync() override;
  absl::StatusOr<std::vector<HashEntry>> ListEntries() override;
  absl::StatusOr<SourceState> State() override;
  // "ncmec NAME CHECKPOINT\n": the page count in the checkpoint moves with
  // every page applied.
  absl::StatusOr<std::string> ContentKey() override;

 private:
  // The stored progress, parsed.
  struct Position {
    int64_t end = 0;         // of the last complete window
    int64_t pages = 0;       // applied so far, ever
    bool caught_up = false;  // a window has ended at the horizon once
    struct Cursor {
      int64_t from = 0;
      int64_t to = 0;
      std::string next;
    };
    std::optional<Cursor> cursor;
    int64_t cursor_saved_at = 0;
  };
  // What one Sync did so far.
  struct Run {
    std::vector<EntryChanges> pages;
    int page_budget = 0;
    int64_t horizon = 0;  // now - end_lag when the Sync began
  };

  NcmecIndexSource(Options options, ClearinghouseStore& store,
                   std::unique_ptr<NcmecClient> client);
  absl::StatusOr<Position> LoadPosition();
  // Resumes or restarts the window of a stored cursor.
  absl::Status ContinueCursor(Position& position, Run& run);
  // The window starting at position.end, sized by the window policy.
  absl::Status FetchNextWindow(Position& position, int64_t horizon, Run& run);
  // Applies `page` and the rest of its chain (within the page budget).
  absl::Status ApplyChain(Position& position, int64_t from, int64_t to,
                          NcmecEntriesPage page, Run& run);
  absl::Status ApplyPage(Position& position, int64_t from, int64_t to,
                         const NcmecEntriesPage& page, Run& run);
  absl::StatusOr<std::vector<SourceChange>> ToChanges(
      const NcmecEntriesPage& page);
  int64_t NowSeconds() const;

  const Options options_;
  ClearinghouseStore& store_;
  const std::unique_ptr<NcmecClient> client_;
  int64_t window_seconds_;                  // adapted from sync to sync
  std::map<std::string, int64_t> skipped_;  // since the source was made
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_NCMEC_INDEX_SOURCE_H_
