// Sync of one signed feed into the HashStore.
#include "feed/feed_syncer.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "feed/feed_changes_builder.h"
#include "feed/feed_format.h"

namespace clearmatch {
namespace {

// Prefixes an error with what was applied before it.
absl::Status AfterPartialSync(const absl::Status& error,
                              const FeedSyncer::Result& result) {
  if (result.applied_deltas.empty() && !result.snapshot_sequence.has_value()) {
    return error;
  }
  return absl::Status(
      error.code(),
      absl::StrCat("feed ", result.feed_id, ": store advanced from ",
                   result.from_sequence, " to ", result.to_sequence,
                   " and then failed: ", error.message()));
}

// What a sync reads: the snapshot (or none), then the deltas from `next`.
struct SyncPlan {
  const v1::FeedFile* snapshot = nullptr;
  uint64_t next = 0;
};

// Deltas after checkpoint `at`, or the snapshot then the deltas after it.
// FAILED_PRECONDITION if neither reaches back to `at`.
absl::StatusOr<SyncPlan> PlanSync(const v1::FeedManifest& manifest,
                                  const std::string& feed_id, uint64_t at) {
  SyncPlan plan;
  plan.next = at + 1;
  if (manifest.sequence() <= at) return plan;
  const bool deltas_reach =
      manifest.deltas_size() > 0 && manifest.deltas(0).sequence() <= plan.next;
  if (deltas_reach) return plan;
  if (manifest.has_snapshot() && manifest.snapshot().sequence() > at) {
    plan.snapshot = &manifest.snapshot();
    plan.next = plan.snapshot->sequence() + 1;
    return plan;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "feed ", feed_id, ": checkpoint ", at,
      " is too old for this manifest (first delta on offer ",
      manifest.deltas_size() > 0 ? manifest.deltas(0).sequence() : 0,
      ") and it has no newer snapshot"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FeedSyncer>> FeedSyncer::Create(
    Options options, FeedSource& source, HashStore& store) {
  if (!options.feed_id.empty()) {
    if (absl::Status s = ValidateFeedId(options.feed_id); !s.ok()) return s;
  }
  absl::StatusOr<std::unique_ptr<Ed25519Verifier>> verifier =
      Ed25519Verifier::Create(options.public_key_pem);
  if (!verifier.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("feed public key: ", verifier.status().message()));
  }
  return std::unique_ptr<FeedSyncer>(
      new FeedSyncer(std::move(options), *std::move(verifier), source, store));
}

absl::StatusOr<std::string> FeedSyncer::ExpectedFeedId(
    const std::string& manifest_feed) {
  if (!options_.feed_id.empty()) return options_.feed_id;
  absl::StatusOr<std::vector<FeedCheckpoint>> known = store_.ListCheckpoints();
  if (!known.ok()) return known.status();
  if (known->empty()) return manifest_feed;  // first sync: adopt it
  if (known->size() == 1) return (*known)[0].feed_id;
  return absl::FailedPreconditionError(
      absl::StrCat("the store holds ", known->size(),
                   " feeds; say which one this syncer follows (feed_id)"));
}

absl::StatusOr<FeedSyncer::Result> FeedSyncer::StartResult(
    const v1::FeedManifest& manifest) {
  absl::StatusOr<std::string> feed_id = ExpectedFeedId(manifest.feed_id());
  if (!feed_id.ok()) return feed_id.status();
  if (manifest.feed_id() != *feed_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("manifest at ", source_.Describe(), " is for feed ",
                     manifest.feed_id(), ", this store follows ", *feed_id));
  }
  absl::StatusOr<std::optional<FeedCheckpoint>> checkpoint =
      store_.GetCheckpoint(*feed_id);
  if (!checkpoint.ok()) return checkpoint.status();

  Result result;
  result.feed_id = *feed_id;
  result.from_sequence = checkpoint->has_value() ? (*checkpoint)->sequence : 0;
  result.to_sequence = result.from_sequence;
  const uint64_t at = result.from_sequence;
  if (manifest.sequence() < at) {
    return absl::FailedPreconditionError(absl::StrCat(
        "feed ", *feed_id, ": manifest sequence ", manifest.sequence(),
        " is older than the store's checkpoint ", at,
        ": rollback refused, keeping checkpoint ", at));
  }
  return result;
}

absl::Status FeedSyncer::LoadSnapshot(FeedReader& reader,
                                      const v1::FeedFile& snapshot,
                                      int64_t created, Result& result,
                                      FeedChangesBuilder& changes) {
  absl::StatusOr<std::vector<FeedChange>> records = reader.FetchFile(snapshot);
  if (!records.ok()) return records.status();
  std::vector<FeedEntry> entries;
  entries.reserve(records->size());
  for (FeedChange& record : *records) {
    if (record.op != FeedChange::Op::kAdd) {
      return absl::InvalidArgumentError(
          absl::StrCat("snapshot ", snapshot.path(), " holds a REMOVE record (",
                       feed_internal::QuoteForError(record.entry.entry_id),
                       "): refusing it"));
    }
    entries.push_back(std::move(record.entry));
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<FeedChanges> applied = store_.ReplaceWithSnapshot(
      {result.feed_id, snapshot.sequence(), created}, entries);
  result.store_time += absl::Now() - start;
  if (!applied.ok()) return applied.status();
  changes.Append(*std::move(applied));
  result.snapshot_sequence = snapshot.sequence();
  result.to_sequence = snapshot.sequence();
  result.records += static_cast<int64_t>(entries.size());
  return absl::OkStatus();
}

absl::Status FeedSyncer::ApplyDeltas(FeedReader& reader,
                                     const v1::FeedManifest& manifest,
                                     uint64_t next, Result& result,
                                     FeedChangesBuilder& changes) {
  const int64_t created = manifest.created_at_unix_seconds();
  for (const v1::FeedFile& delta : manifest.deltas()) {
    if (delta.sequence() < next) continue;
    absl::StatusOr<std::vector<FeedChange>> records = reader.FetchFile(delta);
    if (!records.ok()) return AfterPartialSync(records.status(), result);
    const absl::Time start = absl::Now();
    absl::StatusOr<FeedChanges> applied = store_.ApplyDelta(
        {result.feed_id, delta.sequence(), created}, *records);
    result.store_time += absl::Now() - start;
    if (!applied.ok()) return AfterPartialSync(applied.status(), result);
    changes.Append(*std::move(applied));
    result.applied_deltas.push_back(delta.sequence());
    result.to_sequence = delta.sequence();
    result.records += static_cast<int64_t>(records->size());
  }
  return absl::OkStatus();
}

absl::StatusOr<FeedSyncer::Result> FeedSyncer::Sync() {
  FeedReader reader(options_.reader, *verifier_, source_);
  absl::StatusOr<v1::FeedManifest> manifest = reader.FetchManifest();
  if (!manifest.ok()) return manifest.status();
  CM_ASSIGN_OR_RETURN(Result result, StartResult(*manifest));
  CM_ASSIGN_OR_RETURN(const SyncPlan plan, PlanSync(*manifest, result.feed_id,
                                                    result.from_sequence));
  FeedChangesBuilder changes;
  if (plan.snapshot != nullptr) {
    CM_RETURN_IF_ERROR(LoadSnapshot(reader, *plan.snapshot,
                                    manifest->created_at_unix_seconds(), result,
                                    changes));
  }
  const absl::Status applied =
      ApplyDeltas(reader, *manifest, plan.next, result, changes);
  result.changes = std::move(changes).Build();
  result.times = reader.times();
  if (!applied.ok()) return applied;
  return result;
}

}  // namespace clearmatch
