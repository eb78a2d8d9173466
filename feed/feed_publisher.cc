// Appends deltas to a feed directory and re-signs its manifest.
#include "feed/feed_publisher.h"

#include <filesystem>
#include <map>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/file_io.h"
#include "common/status_macros.h"
#include "feed/feed_format.h"
#include "feed/file_feed_source.h"
#include "hashing/file_digests.h"

namespace clearmatch {
namespace {

// Writes `bytes` to dir/relative (creating its directory) with
// WriteFileAtomically, so that readers see the old or the new file, never a
// partial one.
absl::Status WriteFeedFile(const std::string& dir, const std::string& relative,
                           absl::string_view bytes) {
  const std::filesystem::path target = std::filesystem::path(dir) / relative;
  std::error_code error;
  std::filesystem::create_directories(target.parent_path(), error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", target.parent_path().string(), ": ",
                     error.message()));
  }
  return WriteFileAtomically(target.string(), bytes);
}

v1::FeedFile DescribeFile(uint64_t sequence, std::string path,
                          absl::string_view bytes, size_t records) {
  v1::FeedFile file;
  file.set_sequence(sequence);
  file.set_path(std::move(path));
  file.set_sha256(Sha256Hex(bytes));
  file.set_record_count(records);
  file.set_size_bytes(bytes.size());
  return file;
}

absl::Status ValidateChanges(const std::vector<FeedChange>& changes) {
  for (size_t i = 0; i < changes.size(); ++i) {
    const FeedChange& change = changes[i];
    absl::Status s = change.op == FeedChange::Op::kAdd
                         ? ValidateEntry(change.entry)
                         : (change.entry.entry_id.empty()
                                ? absl::InvalidArgumentError("empty entry_id")
                                : absl::OkStatus());
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("change ", i, ": ", s.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<FeedPublisher>> FeedPublisher::Create(
    Options options) {
  if (options.feed_dir.empty()) {
    return absl::InvalidArgumentError("feed directory is empty");
  }
  if (!options.feed_id.empty()) {
    if (absl::Status s = ValidateFeedId(options.feed_id); !s.ok()) return s;
  }
  if (options.keep_deltas < 0 ||
      (options.keep_deltas > 0 && !options.write_snapshot)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "keep_deltas ", options.keep_deltas,
        " needs write_snapshot (clients behind the kept deltas need a "
        "snapshot) and must not be negative"));
  }
  if (options.expires_in <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expires_in ", absl::FormatDuration(options.expires_in),
                     " must be positive"));
  }
  absl::StatusOr<std::unique_ptr<Ed25519Signer>> signer =
      Ed25519Signer::Create(options.private_key_pem);
  if (!signer.ok()) return signer.status();
  return std::unique_ptr<FeedPublisher>(
      new FeedPublisher(std::move(options), *std::move(signer)));
}

absl::StatusOr<std::vector<FeedEntry>> FeedPublisher::CurrentState(
    const v1::FeedManifest& manifest) {
  FileFeedSource source(options_.feed_dir);
  std::map<std::string, FeedEntry> state;
  uint64_t after = 0;
  auto load = [&](const v1::FeedFile& file) -> absl::Status {
    absl::StatusOr<std::string> bytes =
        source.Fetch(file.path(), int64_t{4} << 30);
    if (!bytes.ok()) return bytes.status();
    if (Sha256Hex(*bytes) != file.sha256()) {
      return absl::DataLossError(
          absl::StrCat(options_.feed_dir, "/", file.path(),
                       " does not match the sha256 in the manifest"));
    }
    absl::StatusOr<std::vector<FeedChange>> records = DecodeFeedRecords(*bytes);
    if (!records.ok()) return records.status();
    for (FeedChange& change : *records) {
      if (change.op == FeedChange::Op::kRemove) {
        state.erase(change.entry.entry_id);
      } else {
        std::string id = change.entry.entry_id;
        state[id] = std::move(change.entry);
      }
    }
    return absl::OkStatus();
  };
  if (manifest.has_snapshot()) {
    if (absl::Status s = load(manifest.snapshot()); !s.ok()) return s;
    after = manifest.snapshot().sequence();
  }
  for (const v1::FeedFile& delta : manifest.deltas()) {
    if (delta.sequence() <= after) continue;
    if (delta.sequence() != after + 1) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot rebuild the snapshot: delta ", after + 1, " is missing"));
    }
    if (absl::Status s = load(delta); !s.ok()) return s;
    after = delta.sequence();
  }
  std::vector<FeedEntry> entries;
  entries.reserve(state.size());
  for (auto& [id, entry] : state) entries.push_back(std::move(entry));
  return entries;
}

absl::StatusOr<v1::FeedManifest> FeedPublisher::LoadManifest() const {
  // The current manifest, if any. Our own output, but check it is ours.
  v1::FeedManifest manifest;
  const std::filesystem::path manifest_path =
      std::filesystem::path(options_.feed_dir) / std::string(kManifestPath);
  if (!std::filesystem::exists(manifest_path)) {
    manifest.set_format_version(kFeedFormatVersion);
    manifest.set_feed_id(options_.feed_id.empty()
                             ? absl::StrCat("feed-", signer_->key_id())
                             : options_.feed_id);
    return manifest;
  }
  FileFeedSource source(options_.feed_dir);
  absl::StatusOr<std::string> bytes =
      source.Fetch(kManifestPath, kMaxManifestBytes);
  if (!bytes.ok()) return bytes.status();
  if (!manifest.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat(manifest_path.string(), " is not a FeedManifest"));
  }
  if (manifest.signing_key_id() != signer_->key_id()) {
    return absl::FailedPreconditionError(absl::StrCat(
        options_.feed_dir, " is signed by key ", manifest.signing_key_id(),
        ", not by this key (", signer_->key_id(), ")"));
  }
  if (!options_.feed_id.empty() && options_.feed_id != manifest.feed_id()) {
    return absl::FailedPreconditionError(
        absl::StrCat(options_.feed_dir, " holds feed ", manifest.feed_id(),
                     ", not ", options_.feed_id));
  }
  return manifest;
}

absl::StatusOr<std::vector<FeedChange>> FeedPublisher::SnapshotAdds(
    const v1::FeedManifest& manifest, const std::vector<FeedChange>& changes) {
  absl::StatusOr<std::vector<FeedEntry>> state = CurrentState(manifest);
  if (!state.ok()) return state.status();
  std::map<std::string, FeedEntry> merged;
  for (FeedEntry& entry : *state) {
    std::string id = entry.entry_id;
    merged[id] = std::move(entry);
  }
  for (const FeedChange& change : changes) {
    if (change.op == FeedChange::Op::kRemove) {
      merged.erase(change.entry.entry_id);
    } else {
      merged[change.entry.entry_id] = change.entry;
    }
  }
  std::vector<FeedChange> adds;
  adds.reserve(merged.size());
  for (auto& [id, entry] : merged) {
    adds.push_back({FeedChange::Op::kAdd, std::move(entry)});
  }
  return adds;
}

absl::Status FeedPublisher::SignAndWriteManifest(v1::FeedManifest& manifest,
                                                 uint64_t sequence) {
  if (options_.keep_deltas > 0 &&
      manifest.deltas_size() > options_.keep_deltas) {
    manifest.mutable_deltas()->DeleteSubrange(
        0, manifest.deltas_size() - options_.keep_deltas);
  }
  const absl::Time now = options_.now();
  manifest.set_sequence(sequence);
  manifest.set_created_at_unix_seconds(absl::ToUnixSeconds(now));
  manifest.set_expires_at_unix_seconds(
      absl::ToUnixSeconds(now + options_.expires_in));
  manifest.set_signing_key_id(signer_->key_id());
  if (absl::Status s = ValidateManifest(manifest); !s.ok()) {
    return absl::InternalError(
        absl::StrCat("publisher built an invalid manifest: ", s.message()));
  }
  std::string manifest_bytes;
  manifest.SerializeToString(&manifest_bytes);
  absl::StatusOr<std::string> signature = signer_->Sign(manifest_bytes);
  if (!signature.ok()) return signature.status();
  // Signature first: a reader between the two renames sees a signature that
  // does not match and retries on its next sync; it never accepts a mix.
  CM_RETURN_IF_ERROR(WriteFeedFile(
      options_.feed_dir, std::string(kManifestSignaturePath), *signature));
  return WriteFeedFile(options_.feed_dir, std::string(kManifestPath),
                       manifest_bytes);
}

absl::StatusOr<FeedPublisher::Published> FeedPublisher::Publish(
    const std::vector<FeedChange>& changes) {
  CM_RETURN_IF_ERROR(ValidateChanges(changes));
  CM_ASSIGN_OR_RETURN(v1::FeedManifest manifest, LoadManifest());
  Published published;
  published.feed_id = manifest.feed_id();
  published.sequence = manifest.sequence() + 1;
  published.records = static_cast<int64_t>(changes.size());
  published.delta_path =
      absl::StrFormat("deltas/%012d.delta", published.sequence);

  // The snapshot is computed from the files before the new delta is added.
  std::vector<FeedChange> snapshot_adds;
  if (options_.write_snapshot) {
    CM_ASSIGN_OR_RETURN(snapshot_adds, SnapshotAdds(manifest, changes));
  }
  const std::string delta_bytes = EncodeFeedRecords(changes);
  CM_RETURN_IF_ERROR(
      WriteFeedFile(options_.feed_dir, published.delta_path, delta_bytes));
  *manifest.add_deltas() = DescribeFile(
      published.sequence, published.delta_path, delta_bytes, changes.size());
  if (options_.write_snapshot) {
    const std::string snapshot_bytes = EncodeFeedRecords(snapshot_adds);
    const std::string path =
        absl::StrFormat("snapshots/%012d.snapshot", published.sequence);
    CM_RETURN_IF_ERROR(WriteFeedFile(options_.feed_dir, path, snapshot_bytes));
    *manifest.mutable_snapshot() = DescribeFile(
        published.sequence, path, snapshot_bytes, snapshot_adds.size());
    published.snapshot_records = static_cast<int64_t>(snapshot_adds.size());
  }
  CM_RETURN_IF_ERROR(SignAndWriteManifest(manifest, published.sequence));
  return published;
}

}  // namespace clearmatch
