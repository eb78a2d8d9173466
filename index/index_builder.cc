// IndexBuilder: full builds, delta updates and compaction of snapshots.
#include "index/index_builder.h"

#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "index/snapshot_layer.h"

namespace clearmatch {
namespace {

using index_internal::SnapshotLayer;

// Matches entries against the removal keys; cheap to test per entry.
class RemovalSet {
 public:
  explicit RemovalSet(absl::Span<const EntryKey> keys) {
    for (const EntryKey& key : keys) {
      ids_.insert(key.entry_id);
      keys_.insert(key);
    }
  }
  bool empty() const { return keys_.empty(); }
  // Whether local entry `i` of `layer` has one of the keys.
  bool Contains(const SnapshotLayer& layer, uint32_t i) const {
    // Most entries fail the id test, which needs no copy.
    const std::string_view id = layer.entry_id(i);
    return ids_.contains(absl::string_view(id.data(), id.size())) &&
           keys_.contains(
               EntryKey{std::string(layer.source_feed(i)), std::string(id)});
  }

 private:
  absl::flat_hash_set<std::string> ids_;
  absl::flat_hash_set<EntryKey> keys_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> IndexBuilder::Build(
    std::vector<HashEntry> entries, uint64_t version) const {
  CM_ASSIGN_OR_RETURN(std::shared_ptr<const SnapshotLayer> main,
                      SnapshotLayer::Build(std::move(entries)));
  CM_ASSIGN_OR_RETURN(std::shared_ptr<const SnapshotLayer> delta,
                      SnapshotLayer::Build({}));
  return std::shared_ptr<const IndexSnapshot>(new IndexSnapshot(
      version, std::move(main), std::move(delta), /*removed=*/{}));
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> IndexBuilder::Apply(
    const IndexSnapshot& base, std::vector<HashEntry> additions,
    absl::Span<const EntryKey> removals, uint64_t version) const {
  if (version < base.version()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "applying version ", version, " onto newer snapshot ", base.version()));
  }
  for (const HashEntry& entry : additions) {
    CM_RETURN_IF_ERROR(ValidateHashEntry(entry));
  }
  const RemovalSet removal_set(removals);

  absl::flat_hash_set<uint32_t> removed = base.removed_;
  if (!removal_set.empty()) {
    const SnapshotLayer& main = *base.main_;
    for (uint32_t i = 0; i < main.size(); ++i) {
      if (removal_set.Contains(main, i)) removed.insert(i);
    }
  }

  // The delta layer is small: rebuild it from its surviving entries plus
  // the additions.
  std::vector<HashEntry> delta_entries;
  const SnapshotLayer& delta = *base.delta_;
  delta_entries.reserve(delta.size() + additions.size());
  for (uint32_t i = 0; i < delta.size(); ++i) {
    if (!removal_set.Contains(delta, i)) {
      delta_entries.push_back(delta.entry(i).ToHashEntry());
    }
  }
  for (HashEntry& entry : additions) delta_entries.push_back(std::move(entry));
  CM_ASSIGN_OR_RETURN(std::shared_ptr<const SnapshotLayer> new_delta,
                      SnapshotLayer::Build(std::move(delta_entries)));
  return std::shared_ptr<const IndexSnapshot>(new IndexSnapshot(
      version, base.main_, std::move(new_delta), std::move(removed)));
}

absl::StatusOr<std::shared_ptr<const IndexSnapshot>> IndexBuilder::Compact(
    const IndexSnapshot& base) const {
  std::vector<HashEntry> entries;
  entries.reserve(static_cast<size_t>(base.size()));
  base.ForEachEntry([&](EntryRef, const EntryView& entry) {
    entries.push_back(entry.ToHashEntry());
  });
  return Build(std::move(entries), base.version());
}

bool IndexBuilder::ShouldCompact(const IndexSnapshot& snapshot) const {
  return snapshot.delta_size() > options_.compact_threshold ||
         snapshot.removed_size() > options_.compact_threshold;
}

}  // namespace clearmatch
