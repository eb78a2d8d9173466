// IndexSnapshot: searches both layers and drops removed entries.
#include "index/index_snapshot.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "index/snapshot_layer.h"

namespace clearmatch {
namespace {

using index_internal::SnapshotLayer;

absl::Status CheckQueryCount(size_t n) {
  if (n > static_cast<size_t>(IndexSnapshot::kMaxQueries)) {
    return absl::ResourceExhaustedError(
        absl::StrCat(n, " query codes in one search (limit ",
                     IndexSnapshot::kMaxQueries, ")"));
  }
  return absl::OkStatus();
}

// The codes as one n * 32-byte buffer, the layout FAISS takes.
std::vector<uint8_t> Concatenate(absl::Span<const PdqHash> codes) {
  std::vector<uint8_t> bytes;
  bytes.reserve(codes.size() * PdqHash::kBytes);
  for (const PdqHash& code : codes) {
    bytes.insert(bytes.end(), code.data(), code.data() + PdqHash::kBytes);
  }
  return bytes;
}

}  // namespace

IndexSnapshot::IndexSnapshot(uint64_t version,
                             std::shared_ptr<const SnapshotLayer> main,
                             std::shared_ptr<const SnapshotLayer> delta,
                             absl::flat_hash_set<uint32_t> removed)
    : version_(version),
      main_(std::move(main)),
      delta_(std::move(delta)),
      removed_(std::move(removed)),
      main_size_(static_cast<int64_t>(main_->size())) {}

IndexSnapshot::~IndexSnapshot() = default;

int64_t IndexSnapshot::size() const {
  return main_size_ - removed_size() + delta_size();
}

int64_t IndexSnapshot::delta_size() const {
  return static_cast<int64_t>(delta_->size());
}

EntryView IndexSnapshot::entry(EntryRef ref) const {
  return ref < main_size_
             ? main_->entry(static_cast<uint32_t>(ref))
             : delta_->entry(static_cast<uint32_t>(ref - main_size_));
}

bool IndexSnapshot::IsRemoved(EntryRef ref) const {
  return ref < main_size_ && removed_.contains(static_cast<uint32_t>(ref));
}

absl::StatusOr<std::vector<PdqHit>> IndexSnapshot::SearchPdq(
    absl::Span<const PdqHash> queries, int max_distance) const {
  CM_RETURN_IF_ERROR(CheckQueryCount(queries.size()));
  const std::vector<uint8_t> codes = Concatenate(queries);
  const int n = static_cast<int>(queries.size());
  std::vector<SnapshotLayer::Hit> main_hits;
  std::vector<SnapshotLayer::Hit> delta_hits;
  CM_RETURN_IF_ERROR(
      main_->SearchPdq(codes.data(), n, max_distance, &main_hits));
  CM_RETURN_IF_ERROR(
      delta_->SearchPdq(codes.data(), n, max_distance, &delta_hits));
  std::vector<PdqHit> hits;
  hits.reserve(main_hits.size() + delta_hits.size());
  for (const SnapshotLayer::Hit& hit : main_hits) {
    if (!IsRemoved(hit.entry)) {
      hits.push_back({hit.query, hit.entry, hit.distance});
    }
  }
  for (const SnapshotLayer::Hit& hit : delta_hits) {
    hits.push_back({hit.query, main_size_ + hit.entry, hit.distance});
  }
  std::sort(hits.begin(), hits.end(), [](const PdqHit& a, const PdqHit& b) {
    return std::tie(a.query, a.distance, a.entry) <
           std::tie(b.query, b.distance, b.entry);
  });
  return hits;
}

absl::StatusOr<std::vector<FrameHit>> IndexSnapshot::SearchVideoFrames(
    absl::Span<const PdqHash> frame_queries, int max_distance) const {
  CM_RETURN_IF_ERROR(CheckQueryCount(frame_queries.size()));
  const std::vector<uint8_t> codes = Concatenate(frame_queries);
  const int n = static_cast<int>(frame_queries.size());
  std::vector<SnapshotLayer::Hit> main_hits;
  std::vector<SnapshotLayer::Hit> delta_hits;
  CM_RETURN_IF_ERROR(
      main_->SearchFrames(codes.data(), n, max_distance, &main_hits));
  CM_RETURN_IF_ERROR(
      delta_->SearchFrames(codes.data(), n, max_distance, &delta_hits));
  std::vector<FrameHit> hits;
  hits.reserve(main_hits.size() + delta_hits.size());
  for (const SnapshotLayer::Hit& hit : main_hits) {
    if (!IsRemoved(hit.entry)) {
      hits.push_back(
          {hit.query, hit.entry, static_cast<int>(hit.frame), hit.distance});
    }
  }
  for (const SnapshotLayer::Hit& hit : delta_hits) {
    hits.push_back({hit.query, main_size_ + hit.entry,
                    static_cast<int>(hit.frame), hit.distance});
  }
  std::sort(hits.begin(), hits.end(), [](const FrameHit& a, const FrameHit& b) {
    return std::tie(a.query, a.distance, a.entry, a.frame) <
           std::tie(b.query, b.distance, b.entry, b.frame);
  });
  return hits;
}

absl::StatusOr<std::vector<EntryRef>> IndexSnapshot::LookupExact(
    HashType type, std::string_view digest) const {
  const std::string type_name(HashTypeName(type));
  if (DigestLength(type) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "exact lookup by ", type_name, " (want md5, sha1 or sha256)"));
  }
  if (digest.size() != DigestLength(type)) {
    return absl::InvalidArgumentError(
        absl::StrCat(type_name, " digest of ", digest.size(), " bytes (want ",
                     DigestLength(type), ")"));
  }
  std::vector<EntryRef> refs;
  for (uint32_t local : main_->LookupDigest(type, digest)) {
    if (!IsRemoved(local)) refs.push_back(local);
  }
  for (uint32_t local : delta_->LookupDigest(type, digest)) {
    refs.push_back(main_size_ + local);
  }
  return refs;
}

void IndexSnapshot::ForEachEntry(
    absl::FunctionRef<void(EntryRef, const EntryView&)> visit) const {
  for (EntryRef ref = 0; ref < main_size_; ++ref) {
    if (!IsRemoved(ref)) visit(ref, main_->entry(static_cast<uint32_t>(ref)));
  }
  for (uint32_t i = 0; i < delta_->size(); ++i) {
    visit(main_size_ + static_cast<EntryRef>(i), delta_->entry(i));
  }
}

}  // namespace clearmatch
