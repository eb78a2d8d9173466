// SnapshotLayer: FAISS range search with inclusive distances, digest maps.
#include "index/snapshot_layer.h"

#include <faiss/impl/AuxIndexStructures.h>

#include <exception>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "index/pdq_index_factory.h"

namespace clearmatch::index_internal {
namespace {

using FaissRow = faiss::IndexBinary::idx_t;

// Local entry numbers and FAISS rows are uint32.
constexpr size_t kMaxLayerRows = std::numeric_limits<uint32_t>::max();

int DigestSlot(HashType type) {
  switch (type) {
    case HashType::kMd5:
      return 0;
    case HashType::kSha1:
      return 1;
    case HashType::kSha256:
      return 2;
    default:
      return -1;
  }
}

// Calls on_hit(query, row, distance) for every row within max_distance
// (inclusive) of each query. FAISS's range_search is strict (< radius).
template <typename OnHit>
absl::Status RangeSearch(const faiss::IndexBinary& index,
                         const uint8_t* queries, int n, int max_distance,
                         OnHit on_hit) {
  if (max_distance < 0 || max_distance > PdqHash::kMatchDistance) {
    return absl::InvalidArgumentError(absl::StrCat("max distance ",
                                                   max_distance, " outside 0..",
                                                   PdqHash::kMatchDistance));
  }
  if (n <= 0 || index.ntotal == 0) return absl::OkStatus();
  try {
    faiss::RangeSearchResult result(n);
    index.range_search(n, queries, max_distance + 1, &result);
    for (int q = 0; q < n; ++q) {
      for (size_t i = result.lims[q]; i < result.lims[q + 1]; ++i) {
        const FaissRow row = result.labels[i];
        const int distance = static_cast<int>(result.distances[i]);
        if (row < 0 || row >= index.ntotal || distance > max_distance) {
          return absl::InternalError(
              absl::StrCat("PDQ index returned row ", row, " at distance ",
                           distance, " for radius ", max_distance));
        }
        on_hit(q, static_cast<uint32_t>(row), distance);
      }
    }
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("PDQ range search: ", e.what()));
  }
  return absl::OkStatus();
}

// A FAISS index from NewPdqIndex holding `codes` (rows * 32 bytes).
absl::StatusOr<std::unique_ptr<faiss::IndexBinary>> NewIndexWith(
    const std::vector<uint8_t>& codes) {
  const size_t rows = codes.size() / PdqHash::kBytes;
  try {
    std::unique_ptr<faiss::IndexBinary> index =
        NewPdqIndex(static_cast<int64_t>(rows));
    if (rows > 0) index->add(static_cast<FaissRow>(rows), codes.data());
    return index;
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("building PDQ index: ", e.what()));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<const SnapshotLayer>> SnapshotLayer::Build(
    std::vector<HashEntry> entries) {
  for (const HashEntry& entry : entries) {
    CM_RETURN_IF_ERROR(ValidateHashEntry(entry));
  }
  std::unique_ptr<SnapshotLayer> layer(new SnapshotLayer());
  layer->entries_ = std::move(entries);
  CM_RETURN_IF_ERROR(layer->IndexEntries());

  std::vector<uint8_t> codes;
  codes.reserve(layer->pdq_rows_.size() * PdqHash::kBytes);
  for (uint32_t entry : layer->pdq_rows_) {
    const PdqHash& hash = layer->entries_[entry].pdq;
    codes.insert(codes.end(), hash.data(), hash.data() + PdqHash::kBytes);
  }
  CM_ASSIGN_OR_RETURN(layer->pdq_index_, NewIndexWith(codes));
  codes.clear();
  for (const FrameRow& row : layer->frame_rows_) {
    const PdqHash& hash = layer->entries_[row.entry].frames[row.frame].hash;
    codes.insert(codes.end(), hash.data(), hash.data() + PdqHash::kBytes);
  }
  CM_ASSIGN_OR_RETURN(layer->frame_index_, NewIndexWith(codes));
  return std::unique_ptr<const SnapshotLayer>(std::move(layer));
}

absl::StatusOr<std::unique_ptr<const SnapshotLayer>> SnapshotLayer::Restore(
    std::vector<HashEntry> entries,
    std::unique_ptr<faiss::IndexBinary> pdq_index,
    std::unique_ptr<faiss::IndexBinary> frame_index) {
  if (pdq_index == nullptr || frame_index == nullptr) {
    return absl::InvalidArgumentError("snapshot layer without its indexes");
  }
  for (const HashEntry& entry : entries) {
    CM_RETURN_IF_ERROR(ValidateHashEntry(entry));
  }
  std::unique_ptr<SnapshotLayer> layer(new SnapshotLayer());
  layer->entries_ = std::move(entries);
  CM_RETURN_IF_ERROR(layer->IndexEntries());
  if (static_cast<size_t>(pdq_index->ntotal) != layer->pdq_rows_.size() ||
      static_cast<size_t>(frame_index->ntotal) != layer->frame_rows_.size()) {
    return absl::DataLossError(absl::StrCat(
        "snapshot layer has ", layer->pdq_rows_.size(), " PDQ entries and ",
        layer->frame_rows_.size(), " video frames but its indexes hold ",
        pdq_index->ntotal, " and ", frame_index->ntotal, " codes"));
  }
  layer->pdq_index_ = std::move(pdq_index);
  layer->frame_index_ = std::move(frame_index);
  return std::unique_ptr<const SnapshotLayer>(std::move(layer));
}

absl::Status SnapshotLayer::IndexEntries() {
  if (entries_.size() >= kMaxLayerRows) {
    return absl::ResourceExhaustedError(absl::StrCat(
        entries_.size(), " entries in one layer (limit ", kMaxLayerRows, ")"));
  }
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    const HashEntry& entry = entries_[i];
    switch (entry.type) {
      case HashType::kPdq:
        pdq_rows_.push_back(i);
        break;
      case HashType::kVpdq:
        for (uint32_t f = 0; f < entry.frames.size(); ++f) {
          frame_rows_.push_back({i, f});
        }
        if (frame_rows_.size() >= kMaxLayerRows) {
          return absl::ResourceExhaustedError(
              absl::StrCat("more than ", kMaxLayerRows, " video frames"));
        }
        break;
      case HashType::kMd5:
      case HashType::kSha1:
      case HashType::kSha256:
        digests_[DigestSlot(entry.type)][entry.digest].push_back(i);
        break;
    }
  }
  return absl::OkStatus();
}

absl::Status SnapshotLayer::SearchPdq(const uint8_t* queries, int n,
                                      int max_distance,
                                      std::vector<Hit>* hits) const {
  return RangeSearch(*pdq_index_, queries, n, max_distance,
                     [&](int query, uint32_t row, int distance) {
                       hits->push_back({query, pdq_rows_[row], 0, distance});
                     });
}

absl::Status SnapshotLayer::SearchFrames(const uint8_t* queries, int n,
                                         int max_distance,
                                         std::vector<Hit>* hits) const {
  return RangeSearch(
      *frame_index_, queries, n, max_distance,
      [&](int query, uint32_t row, int distance) {
        const FrameRow& frame = frame_rows_[row];
        hits->push_back({query, frame.entry, frame.frame, distance});
      });
}

absl::Span<const uint32_t> SnapshotLayer::LookupDigest(
    HashType type, std::string_view digest) const {
  const int slot = DigestSlot(type);
  if (slot < 0) return {};
  auto it = digests_[slot].find(digest);
  if (it == digests_[slot].end()) return {};
  return it->second;
}

}  // namespace clearmatch::index_internal
