// NCMEC hash sharing as an IndexSource: adaptive windows, next chains,
// one store transaction per page.
#include "clearinghouse/ncmec_index_source.h"

#include <algorithm>
#include <future>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "hashing/pdq_hash.h"

namespace clearmatch {
namespace {

// The changes of consecutive pages as one: an entry added by one page and
// replaced or withdrawn by a later one is not added at all. Each entry is
// moved once (a first sync hands on millions).
EntryChanges MergePages(std::vector<EntryChanges> pages) {
  if (pages.size() == 1) return std::move(pages[0]);
  // The last page that removed each key.
  absl::flat_hash_map<EntryKey, size_t> last_removal;
  size_t added = 0;
  for (size_t i = 0; i < pages.size(); ++i) {
    for (const EntryKey& key : pages[i].removed) last_removal[key] = i;
    added += pages[i].added.size();
  }
  EntryChanges merged;
  merged.added.reserve(added);
  for (size_t i = 0; i < pages.size(); ++i) {
    for (HashEntry& entry : pages[i].added) {
      if (!last_removal.empty()) {
        auto it =
            last_removal.find(EntryKey{entry.source_feed, entry.entry_id});
        if (it != last_removal.end() && it->second > i) continue;
      }
      merged.added.push_back(std::move(entry));
    }
  }
  merged.removed.reserve(last_removal.size());
  for (auto& [key, page] : last_removal) merged.removed.push_back(key);
  return merged;
}

// "<end> <pages> <caught up: 0 or 1>".
std::string Checkpoint(int64_t end, int64_t pages, bool caught_up) {
  return absl::StrCat(end, " ", pages, " ", caught_up ? 1 : 0);
}

absl::Status CheckOptions(const NcmecIndexSource::Options& o) {
  if (o.name.empty()) return absl::InvalidArgumentError("name: empty");
  if (o.credentials.username.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(o.name, ": credentials: no username"));
  }
  if (o.initial_window < absl::Seconds(1) || o.max_window < o.initial_window ||
      o.shrink_above_entries < 1 || o.grow_below_entries < 0 ||
      o.end_lag < absl::ZeroDuration() || o.max_pages_per_sync < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        o.name,
        ": window options: need initial_window >= 1 s <= max_window, "
        "shrink_above_entries >= 1, max_pages_per_sync >= 1"));
  }
  if (o.start_time_unix_seconds < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(o.name, ": start_time_unix_seconds: negative"));
  }
  return absl::OkStatus();
}

}  // namespace

NcmecIndexSource::NcmecIndexSource(Options options, ClearinghouseStore& store,
                                   std::unique_ptr<NcmecClient> client)
    : options_(std::move(options)),
      store_(store),
      client_(std::move(client)),
      window_seconds_(absl::ToInt64Seconds(options_.initial_window)) {}

absl::StatusOr<std::unique_ptr<NcmecIndexSource>> NcmecIndexSource::Create(
    Options options, ClearinghouseStore& store) {
  CM_RETURN_IF_ERROR(CheckOptions(options));
  NcmecClient::Options client_options;
  client_options.name = options.name;
  client_options.base_url = options.base_url;
  client_options.credentials = options.credentials;
  client_options.http = options.http;
  client_options.http.ca_file = options.ca_file;
  client_options.limits = options.limits;
  CM_ASSIGN_OR_RETURN(std::unique_ptr<NcmecClient> client,
                      NcmecClient::Create(std::move(client_options)));
  if (!options.now) options.now = [] { return absl::Now(); };
  return std::unique_ptr<NcmecIndexSource>(
      new NcmecIndexSource(std::move(options), store, std::move(client)));
}

int64_t NcmecIndexSource::NowSeconds() const {
  return absl::ToUnixSeconds(options_.now());
}

absl::StatusOr<NcmecIndexSource::Position> NcmecIndexSource::LoadPosition() {
  CM_ASSIGN_OR_RETURN(std::optional<SourceProgress> progress,
                      store_.GetProgress(options_.name));
  Position position;
  position.end = options_.start_time_unix_seconds;
  if (!progress.has_value() || progress->checkpoint.empty()) return position;
  const auto bad = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat(options_.name, ": stored ", what,
                                            " is not one this source wrote"));
  };
  std::vector<absl::string_view> parts =
      absl::StrSplit(progress->checkpoint, ' ');
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &position.end) ||
      !absl::SimpleAtoi(parts[1], &position.pages) ||
      (parts[2] != "0" && parts[2] != "1")) {
    return bad("checkpoint");
  }
  position.caught_up = parts[2] == "1";
  if (!progress->cursor.empty()) {
    parts = absl::StrSplit(progress->cursor, absl::MaxSplits(' ', 2));
    Position::Cursor cursor;
    if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &cursor.from) ||
        !absl::SimpleAtoi(parts[1], &cursor.to) || parts[2].empty()) {
      return bad("cursor");
    }
    cursor.next = std::string(parts[2]);
    position.cursor = std::move(cursor);
    position.cursor_saved_at = progress->cursor_saved_at;
  }
  return position;
}

absl::StatusOr<std::vector<SourceChange>> NcmecIndexSource::ToChanges(
    const NcmecEntriesPage& page) {
  std::vector<SourceChange> changes;
  changes.reserve(page.entries.size());
  for (const NcmecEntry& entry : page.entries) {
    SourceChange& change = changes.emplace_back();
    change.entry_id = absl::StrCat(entry.member_id, "-", entry.id);
    change.timestamp = entry.timestamp;
    change.removed = entry.deleted;
    for (const auto& [tag, value] : entry.fingerprints) {
      HashEntry hash;
      if (tag == "md5" || tag == "sha1") {
        hash.type = tag == "md5" ? HashType::kMd5 : HashType::kSha1;
        CM_ASSIGN_OR_RETURN(hash.digest,
                            ParseHexBytes(value, DigestLength(hash.type), tag));
      } else if (tag == "pdq" && !entry.video) {
        CM_ASSIGN_OR_RETURN(hash.pdq, PdqHash::FromHex(value));
      } else {
        ++skipped_[absl::StrCat("fingerprint:", tag)];
        continue;
      }
      hash.entry_id = change.entry_id;
      hash.bank = options_.name;
      hash.source_feed = options_.name;
      hash.category = entry.classification;
      hash.added_at = entry.timestamp;
      change.entries.push_back(std::move(hash));
    }
  }
  return changes;
}

absl::Status NcmecIndexSource::ApplyPage(Position& position, int64_t from,
                                         int64_t to,
                                         const NcmecEntriesPage& page,
                                         Run& run) {
  CM_ASSIGN_OR_RETURN(std::vector<SourceChange> changes, ToChanges(page));
  const bool window_done = page.next.empty();
  const bool caught_up =
      position.caught_up || (window_done && to >= run.horizon);
  SourceProgress progress;
  progress.checkpoint = Checkpoint(window_done ? to : position.end,
                                   position.pages + 1, caught_up);
  if (!window_done) {
    progress.cursor = absl::StrCat(from, " ", to, " ", page.next);
    progress.cursor_saved_at = NowSeconds();
  }
  CM_ASSIGN_OR_RETURN(ClearinghouseStore::PageResult result,
                      store_.ApplyChanges(options_.name, changes, progress));
  if (result.stale > 0) skipped_["stale"] += result.stale;
  run.pages.push_back(std::move(result.changes));
  --run.page_budget;
  ++position.pages;
  position.caught_up = caught_up;
  if (window_done) {
    position.end = to;
    position.cursor.reset();
  } else {
    position.cursor = Position::Cursor{from, to, page.next};
    position.cursor_saved_at = progress.cursor_saved_at;
  }
  return absl::OkStatus();
}

absl::Status NcmecIndexSource::ApplyChain(Position& position, int64_t from,
                                          int64_t to, NcmecEntriesPage page,
                                          Run& run) {
  while (true) {
    // The next page is fetched while this one is stored (the client is
    // used by one thread at a time). A crash loses only fetched pages,
    // which the stored cursor fetches again.
    std::future<absl::StatusOr<NcmecEntriesPage>> next;
    if (!page.next.empty() && run.page_budget > 1) {
      next = std::async(std::launch::async, [this, path = page.next] {
        return client_->Follow(path);
      });
    }
    CM_RETURN_IF_ERROR(ApplyPage(position, from, to, page, run));
    if (!position.cursor.has_value() || run.page_budget <= 0) {
      return absl::OkStatus();
    }
    CM_ASSIGN_OR_RETURN(page, next.valid()
                                  ? next.get()
                                  : client_->Follow(position.cursor->next));
  }
}

absl::Status NcmecIndexSource::ContinueCursor(Position& position, Run& run) {
  const Position::Cursor cursor = *position.cursor;
  const int64_t age = NowSeconds() - position.cursor_saved_at;
  if (age >= 0 && age < absl::ToInt64Seconds(options_.cursor_max_age)) {
    CM_ASSIGN_OR_RETURN(NcmecEntriesPage page, client_->Follow(cursor.next));
    return ApplyChain(position, cursor.from, cursor.to, std::move(page), run);
  }
  LogInfo(
      absl::StrCat(options_.name, ": paging cursor of window ",
                   NcmecClient::FormatTime(absl::FromUnixSeconds(cursor.from)),
                   " is ", age, " s old: the window starts again"));
  CM_ASSIGN_OR_RETURN(NcmecEntriesPage page,
                      client_->GetEntries(absl::FromUnixSeconds(cursor.from),
                                          absl::FromUnixSeconds(cursor.to)));
  return ApplyChain(position, cursor.from, cursor.to, std::move(page), run);
}

absl::Status NcmecIndexSource::FetchNextWindow(Position& position,
                                               int64_t horizon, Run& run) {
  const int64_t from = position.end;
  int64_t to = std::min(from + window_seconds_, horizon);
  while (true) {
    CM_ASSIGN_OR_RETURN(NcmecEntriesPage page,
                        client_->GetEntries(absl::FromUnixSeconds(from),
                                            absl::FromUnixSeconds(to)));
    const int64_t estimate =
        std::max<int64_t>(page.image_count + page.video_count,
                          static_cast<int64_t>(page.entries.size()));
    const int64_t span = to - from;
    if (estimate > options_.shrink_above_entries && span > 1) {
      // Shrink at least fourfold, more in proportion to the overfetch.
      window_seconds_ = std::max<int64_t>(
          1,
          std::min(span / 4, span * options_.shrink_above_entries / estimate));
      to = from + window_seconds_;
      continue;
    }
    if (estimate < options_.grow_below_entries && span == window_seconds_) {
      window_seconds_ = std::min(window_seconds_ * 2,
                                 absl::ToInt64Seconds(options_.max_window));
    }
    return ApplyChain(position, from, to, std::move(page), run);
  }
}

absl::StatusOr<EntryChanges> NcmecIndexSource::Sync() {
  CM_ASSIGN_OR_RETURN(Position position, LoadPosition());
  Run run;
  run.page_budget = options_.max_pages_per_sync;
  const int64_t horizon =
      absl::ToUnixSeconds(options_.now() - options_.end_lag);
  run.horizon = horizon;
  absl::Status status;
  if (position.cursor.has_value()) status = ContinueCursor(position, run);
  while (status.ok() && !position.cursor.has_value() && run.page_budget > 0 &&
         position.end < horizon) {
    status = FetchNextWindow(position, horizon, run);
  }
  if (!status.ok()) {
    LogWarning(absl::StrCat(options_.name, ": sync stopped after ",
                            run.pages.size(), " pages: ", status.message()));
    return status;
  }
  return MergePages(std::move(run.pages));
}

absl::StatusOr<std::vector<HashEntry>> NcmecIndexSource::ListEntries() {
  return store_.ListEntries(options_.name);
}

absl::StatusOr<SourceState> NcmecIndexSource::State() {
  CM_ASSIGN_OR_RETURN(Position position, LoadPosition());
  SourceState state;
  state.id = options_.name;
  // Served only once the whole list up to now has been read: a partial
  // list would allow what it has not reached yet.
  state.synced = position.caught_up;
  state.version = static_cast<uint64_t>(position.pages);
  if (position.pages > 0) {
    state.published = absl::FromUnixSeconds(position.end);
  }
  CM_ASSIGN_OR_RETURN(state.entries, store_.CountEntries(options_.name));
  CM_ASSIGN_OR_RETURN(state.entries_by_type,
                      store_.CountEntriesByType(options_.name));
  state.skipped = skipped_;
  return state;
}

absl::StatusOr<std::string> NcmecIndexSource::ContentKey() {
  CM_ASSIGN_OR_RETURN(std::optional<SourceProgress> progress,
                      store_.GetProgress(options_.name));
  return absl::StrCat("ncmec ", options_.name, " ",
                      progress.has_value() ? progress->checkpoint : "-", "\n");
}

}  // namespace clearmatch
