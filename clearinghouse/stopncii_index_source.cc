// StopNCII FetchHashes pages into the ClearinghouseStore, page by page.
#include "clearinghouse/stopncii_index_source.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "hashing/pdq_hash.h"

namespace clearmatch {
namespace {

constexpr int kMaxPageSize = 10000;

absl::Status UnreadableProgress(absl::string_view source,
                                absl::string_view what) {
  return absl::DataLossError(
      absl::StrCat("progress of source ", source, ": unreadable ", what));
}

}  // namespace

absl::StatusOr<std::unique_ptr<StopNciiIndexSource>>
StopNciiIndexSource::Create(Options options, ClearinghouseStore& store) {
  if (options.name.empty()) {
    return absl::InvalidArgumentError("stopncii_sources: name is empty");
  }
  if (options.page_size < 1 || options.page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("stopncii_sources ", options.name, ": page size ",
                     options.page_size, " is not in 1..", kMaxPageSize));
  }
  if (options.max_pages_per_sync < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "stopncii_sources ", options.name, ": max_pages_per_sync < 1"));
  }
  StopNciiClient::Options client_options;
  client_options.base_url = options.base_url;
  client_options.credentials = options.credentials;
  client_options.http = options.http;
  if (!options.ca_file.empty()) client_options.http.ca_file = options.ca_file;
  client_options.limits = options.limits;
  absl::StatusOr<std::unique_ptr<StopNciiClient>> client =
      StopNciiClient::Create(std::move(client_options));
  if (!client.ok()) {
    return absl::Status(client.status().code(),
                        absl::StrCat("stopncii_sources ", options.name, ": ",
                                     client.status().message()));
  }
  return std::unique_ptr<StopNciiIndexSource>(
      new StopNciiIndexSource(std::move(options), store, *std::move(client)));
}

absl::StatusOr<StopNciiIndexSource::Position>
StopNciiIndexSource::LoadPosition() {
  CM_ASSIGN_OR_RETURN(std::optional<SourceProgress> progress,
                      store_.GetProgress(options_.name));
  Position position;
  position.run_start = options_.start_time_unix_seconds;
  if (!progress.has_value()) return position;
  std::vector<std::string> fields = absl::StrSplit(progress->checkpoint, ' ');
  int64_t checkpoint = 0;
  if (fields.size() != 2 || !absl::SimpleAtoi(fields[1], &position.pages) ||
      (fields[0] != "-" && !absl::SimpleAtoi(fields[0], &checkpoint))) {
    return UnreadableProgress(options_.name, "checkpoint");
  }
  if (fields[0] != "-") {
    position.checkpoint = checkpoint;
    position.run_start = checkpoint;
  }
  if (progress->cursor.empty()) return position;
  const absl::Duration age =
      options_.now() - absl::FromUnixSeconds(progress->cursor_saved_at);
  if (age > options_.cursor_max_age) {
    position.stale_cursor_age = age;
    return position;
  }
  std::pair<std::string, std::string> cursor =
      absl::StrSplit(progress->cursor, absl::MaxSplits(' ', 1));
  if (!absl::SimpleAtoi(cursor.first, &position.run_start) ||
      cursor.second.empty()) {
    return UnreadableProgress(options_.name, "cursor");
  }
  position.page_token = std::move(cursor.second);
  return position;
}

absl::StatusOr<EntryChanges> StopNciiIndexSource::Sync() {
  CM_ASSIGN_OR_RETURN(Position position, LoadPosition());
  if (position.stale_cursor_age > absl::ZeroDuration()) {
    LogInfo(absl::StrCat("source ", options_.name, ": page cursor is ",
                         absl::FormatDuration(position.stale_cursor_age),
                         " old; the run starts again from the checkpoint"));
  }
  EntryChanges changes;
  SourceProgress progress;
  Batch batch;
  for (int page = 0; page < options_.max_pages_per_sync; ++page) {
    absl::StatusOr<bool> complete = FetchPage(position, progress, batch);
    if (!complete.ok()) {
      // The pages fetched before the error stay applied.
      CM_RETURN_IF_ERROR(Store(progress, batch, changes));
      return complete.status();
    }
    if (*complete || batch.records >= options_.records_per_transaction) {
      CM_RETURN_IF_ERROR(Store(progress, batch, changes));
    }
    if (*complete) break;
  }
  CM_RETURN_IF_ERROR(Store(progress, batch, changes));
  return changes;
}

absl::StatusOr<StopNciiPage> StopNciiIndexSource::Fetch(Position& position) {
  absl::StatusOr<StopNciiPage> page = client_->FetchHashes(
      position.run_start, options_.page_size, position.page_token);
  const bool token_refused =
      !page.ok() && !position.page_token.empty() &&
      (page.status().code() == absl::StatusCode::kFailedPrecondition ||
       page.status().code() == absl::StatusCode::kNotFound);
  if (!token_refused) return page;
  // Page tokens are short-lived: run again from the checkpoint.
  LogWarning(absl::StrCat("source ", options_.name, ": page token refused (",
                          page.status().message(),
                          "); the run starts again from the checkpoint"));
  position.run_start =
      position.checkpoint.value_or(options_.start_time_unix_seconds);
  position.page_token.clear();
  return client_->FetchHashes(position.run_start, options_.page_size, "");
}

absl::StatusOr<bool> StopNciiIndexSource::FetchPage(Position& position,
                                                    SourceProgress& progress,
                                                    Batch& batch) {
  CM_ASSIGN_OR_RETURN(StopNciiPage page, Fetch(position));
  CM_ASSIGN_OR_RETURN(std::vector<SourceChange> page_changes, ToChanges(page));
  Position next = position;
  ++next.pages;
  const bool complete = !page.has_more_records;
  progress = SourceProgress();
  if (complete) {
    next.checkpoint = page.next_set_timestamp;
    next.run_start = page.next_set_timestamp;
    next.page_token.clear();
  } else {
    next.page_token = *page.next_page_token;
    progress.cursor = absl::StrCat(next.run_start, " ", next.page_token);
    progress.cursor_saved_at = absl::ToUnixSeconds(options_.now());
  }
  progress.checkpoint = absl::StrCat(
      next.checkpoint.has_value() ? absl::StrCat(*next.checkpoint) : "-", " ",
      next.pages);
  ++batch.pages;
  batch.records += static_cast<int64_t>(page_changes.size());
  batch.changes.insert(batch.changes.end(),
                       std::make_move_iterator(page_changes.begin()),
                       std::make_move_iterator(page_changes.end()));
  for (const auto& [reason, count] : page.skipped) {
    batch.skipped[reason] += count;
  }
  position = std::move(next);
  return complete;
}

absl::Status StopNciiIndexSource::Store(const SourceProgress& progress,
                                        Batch& batch, EntryChanges& changes) {
  if (batch.pages == 0) return absl::OkStatus();
  CM_ASSIGN_OR_RETURN(
      ClearinghouseStore::PageResult result,
      store_.ApplyChanges(options_.name, batch.changes, progress));
  for (const auto& [reason, count] : batch.skipped) skipped_[reason] += count;
  if (result.stale > 0) skipped_["stale"] += result.stale;
  changes.removed.insert(changes.removed.end(), result.changes.removed.begin(),
                         result.changes.removed.end());
  changes.added.insert(changes.added.end(),
                       std::make_move_iterator(result.changes.added.begin()),
                       std::make_move_iterator(result.changes.added.end()));
  batch = Batch();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SourceChange>> StopNciiIndexSource::ToChanges(
    const StopNciiPage& page) const {
  std::vector<SourceChange> changes;
  changes.reserve(page.records.size());
  for (const StopNciiRecord& record : page.records) {
    SourceChange& change = changes.emplace_back();
    change.entry_id = record.hash_value;
    change.timestamp = record.last_modified;
    change.removed = record.withdrawn;
    if (change.removed) continue;
    HashEntry& entry = change.entries.emplace_back();
    entry.entry_id = record.hash_value;
    entry.bank = options_.name;
    entry.source_feed = options_.name;
    entry.category = options_.category;
    entry.added_at = record.last_modified;
    // The parser checked the hex: these cannot fail.
    if (record.signal == StopNciiSignal::kImagePdq) {
      entry.type = HashType::kPdq;
      CM_ASSIGN_OR_RETURN(entry.pdq, PdqHash::FromHex(record.hash_value));
    } else {
      entry.type = HashType::kMd5;
      CM_ASSIGN_OR_RETURN(entry.digest,
                          ParseHexBytes(record.hash_value, 16, "VideoMD5"));
    }
  }
  return changes;
}

absl::StatusOr<std::vector<HashEntry>> StopNciiIndexSource::ListEntries() {
  return store_.ListEntries(options_.name);
}

absl::StatusOr<SourceState> StopNciiIndexSource::State() {
  CM_ASSIGN_OR_RETURN(Position position, LoadPosition());
  SourceState state;
  state.id = options_.name;
  state.synced = position.checkpoint.has_value();
  state.version = static_cast<uint64_t>(position.pages);
  if (position.checkpoint.has_value()) {
    state.published = absl::FromUnixSeconds(*position.checkpoint);
  }
  CM_ASSIGN_OR_RETURN(state.entries, store_.CountEntries(options_.name));
  CM_ASSIGN_OR_RETURN(state.entries_by_type,
                      store_.CountEntriesByType(options_.name));
  state.skipped = skipped_;
  return state;
}

absl::StatusOr<std::string> StopNciiIndexSource::ContentKey() {
  CM_ASSIGN_OR_RETURN(std::optional<SourceProgress> progress,
                      store_.GetProgress(options_.name));
  return absl::StrCat(
      "stopncii ", options_.name, " ", client_->base_url(), "\n  checkpoint ",
      progress.has_value() ? progress->checkpoint : "none", "\n");
}

}  // namespace clearmatch
