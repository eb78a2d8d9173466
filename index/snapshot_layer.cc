// SnapshotLayer: entry columns, FAISS range search with inclusive distances,
// sorted digest lookups.
#include "index/snapshot_layer.h"

#include <faiss/impl/AuxIndexStructures.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "index/index_snapshot.h"
#include "index/pdq_index_factory.h"

namespace clearmatch::index_internal {
namespace {

using FaissRow = faiss::IndexBinary::idx_t;

// Local entry numbers, string ids and FAISS rows are uint32.
constexpr size_t kMaxLayerRows = std::numeric_limits<uint32_t>::max();
constexpr int kTypeCount = static_cast<int>(HashType::kVpdq) + 1;

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

template <typename... Args>
absl::Status LayerDataLoss(const Args&... args) {
  return absl::DataLossError(absl::StrCat(args...));
}

// DATA_LOSS unless `offsets` starts at 0, ends at `buffer_size` and every
// item (offsets[k + 1] - offsets[k]) is min_item..max_item long.
template <typename Offset>
absl::Status CheckOffsets(const std::vector<Offset>& offsets,
                          size_t buffer_size, uint64_t min_item,
                          uint64_t max_item, const char* what) {
  if (offsets.empty() || offsets.front() != 0 ||
      offsets.back() != buffer_size) {
    return LayerDataLoss(what, " offsets run from ",
                         offsets.empty() ? 0 : offsets.front(), " to ",
                         offsets.empty() ? 0 : offsets.back(), " (want 0 to ",
                         buffer_size, ")");
  }
  for (size_t k = 0; k + 1 < offsets.size(); ++k) {
    // Unsigned: a decreasing pair wraps around to a huge length.
    const uint64_t length = offsets[k + 1] - offsets[k];
    if (offsets[k + 1] < offsets[k] || length < min_item || length > max_item) {
      return LayerDataLoss(what, " ", k, " spans offsets ", offsets[k], "..",
                           offsets[k + 1], " (want ", min_item, "..", max_item,
                           " long)");
    }
  }
  return absl::OkStatus();
}

// Calls on_hit(query, row, distance) for every row within max_distance
// (inclusive) of each query. FAISS's range_search is strict (< radius).
template <typename OnHit>
absl::Status RangeSearch(const faiss::IndexBinary& index,
                         const uint8_t* queries, int n, int max_distance,
                         OnHit on_hit) {
  if (max_distance < 0 || max_distance > IndexSnapshot::kMaxSearchDistance) {
    return absl::InvalidArgumentError(
        absl::StrCat("max distance ", max_distance, " outside 0..",
                     IndexSnapshot::kMaxSearchDistance));
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

void AppendCode(const PdqHash& code, std::vector<uint8_t>* codes) {
  codes->insert(codes->end(), code.data(), code.data() + PdqHash::kBytes);
}

}  // namespace

absl::StatusOr<std::unique_ptr<const SnapshotLayer>> SnapshotLayer::Build(
    std::vector<HashEntry> entries) {
  size_t id_bytes = 0;
  size_t pdq_count = 0;
  size_t frame_count = 0;
  for (const HashEntry& entry : entries) {
    CM_RETURN_IF_ERROR(ValidateHashEntry(entry));
    id_bytes += entry.entry_id.size();
    pdq_count += entry.type == HashType::kPdq;
    frame_count += entry.frames.size();
  }
  if (entries.size() >= kMaxLayerRows || frame_count >= kMaxLayerRows) {
    return absl::ResourceExhaustedError(absl::StrCat(
        entries.size(), " entries with ", frame_count,
        " video frames in one layer (limit ", kMaxLayerRows, " of each)"));
  }
  std::unique_ptr<SnapshotLayer> layer(new SnapshotLayer());
  Columns& c = layer->columns_;
  const size_t n = entries.size();
  c.types.reserve(n);
  c.added_at.reserve(n);
  c.labels.reserve(n);
  c.id_offsets.reserve(n + 1);
  c.id_offsets.push_back(0);
  c.id_chars.reserve(id_bytes);
  c.string_offsets.push_back(0);
  c.frame_offsets.push_back(0);
  c.frames.reserve(frame_count);
  std::vector<uint8_t> pdq_codes;
  pdq_codes.reserve(pdq_count * PdqHash::kBytes);
  std::vector<uint8_t> frame_codes;
  frame_codes.reserve(frame_count * PdqHash::kBytes);

  absl::flat_hash_map<std::string, uint32_t> string_ids;
  const auto intern = [&](const std::string& s) {
    const auto [it, inserted] =
        string_ids.try_emplace(s, static_cast<uint32_t>(string_ids.size()));
    if (inserted) {
      c.string_chars += s;
      c.string_offsets.push_back(c.string_chars.size());
    }
    return it->second;
  };
  for (HashEntry& entry : entries) {
    c.types.push_back(static_cast<uint8_t>(entry.type));
    c.added_at.push_back(entry.added_at);
    c.labels.push_back({intern(entry.bank), intern(entry.category),
                        intern(entry.source_feed)});
    c.id_chars += entry.entry_id;
    c.id_offsets.push_back(c.id_chars.size());
    switch (entry.type) {
      case HashType::kPdq:
        AppendCode(entry.pdq, &pdq_codes);
        break;
      case HashType::kMd5:
      case HashType::kSha1:
      case HashType::kSha256:
        c.digests[DigestSlot(entry.type)] += entry.digest;
        break;
      case HashType::kVpdq:
        for (const VpdqFrame& frame : entry.frames) {
          c.frames.push_back(frame);
          AppendCode(frame.hash, &frame_codes);
        }
        c.frame_offsets.push_back(static_cast<uint32_t>(c.frames.size()));
        break;
    }
    entry = HashEntry();  // the columns hold it now
  }
  std::vector<HashEntry>().swap(entries);

  CM_ASSIGN_OR_RETURN(layer->pdq_index_, NewIndexWith(pdq_codes));
  std::vector<uint8_t>().swap(pdq_codes);
  CM_ASSIGN_OR_RETURN(layer->frame_index_, NewIndexWith(frame_codes));
  layer->IndexColumns();
  return std::unique_ptr<const SnapshotLayer>(std::move(layer));
}

absl::StatusOr<std::unique_ptr<const SnapshotLayer>> SnapshotLayer::Restore(
    Columns columns, std::unique_ptr<faiss::IndexBinary> pdq_index,
    std::unique_ptr<faiss::IndexBinary> frame_index) {
  if (pdq_index == nullptr || frame_index == nullptr) {
    return absl::InvalidArgumentError("snapshot layer without its indexes");
  }
  std::unique_ptr<SnapshotLayer> layer(new SnapshotLayer());
  layer->columns_ = std::move(columns);
  layer->pdq_index_ = std::move(pdq_index);
  layer->frame_index_ = std::move(frame_index);
  CM_RETURN_IF_ERROR(layer->CheckColumns());
  layer->IndexColumns();
  return std::unique_ptr<const SnapshotLayer>(std::move(layer));
}

absl::Status SnapshotLayer::CheckColumns() const {
  const Columns& c = columns_;
  const size_t n = c.types.size();
  if (n >= kMaxLayerRows) {
    return LayerDataLoss(n, " entries (limit ", kMaxLayerRows, ")");
  }
  if (c.added_at.size() != n || c.labels.size() != n ||
      c.id_offsets.size() != n + 1) {
    return LayerDataLoss(n, " entries but ", c.added_at.size(), " times, ",
                         c.labels.size(), " labels and ", c.id_offsets.size(),
                         " id offsets");
  }
  CM_RETURN_IF_ERROR(CheckOffsets(c.id_offsets, c.id_chars.size(), 1,
                                  kMaxEntryFieldBytes, "entry id"));
  CM_RETURN_IF_ERROR(CheckOffsets(c.string_offsets, c.string_chars.size(), 0,
                                  kMaxEntryFieldBytes, "string"));
  const size_t strings = c.string_offsets.size() - 1;
  for (size_t i = 0; i < n; ++i) {
    const Labels& labels = c.labels[i];
    if (labels.bank >= strings || labels.category >= strings ||
        labels.source_feed >= strings) {
      return LayerDataLoss("entry ", i, " has string ids ", labels.bank, ", ",
                           labels.category, ", ", labels.source_feed,
                           " in a table of ", strings);
    }
  }
  std::array<size_t, kTypeCount> counts{};
  for (size_t i = 0; i < n; ++i) {
    if (c.types[i] >= kTypeCount) {
      return LayerDataLoss("entry ", i, " has unknown hash type value ",
                           static_cast<int>(c.types[i]));
    }
    ++counts[c.types[i]];
  }
  for (HashType type : {HashType::kMd5, HashType::kSha1, HashType::kSha256}) {
    const size_t want = counts[static_cast<int>(type)] * DigestLength(type);
    const size_t have = c.digests[DigestSlot(type)].size();
    if (have != want) {
      return LayerDataLoss(counts[static_cast<int>(type)], " ",
                           std::string(HashTypeName(type)), " entries but ",
                           have, " digest bytes");
    }
  }
  const size_t videos = counts[static_cast<int>(HashType::kVpdq)];
  if (c.frame_offsets.size() != videos + 1) {
    return LayerDataLoss(videos, " video entries but ", c.frame_offsets.size(),
                         " frame offsets");
  }
  CM_RETURN_IF_ERROR(CheckOffsets(c.frame_offsets, c.frames.size(), 1,
                                  kMaxFramesPerVideo, "video"));
  const size_t pdqs = counts[static_cast<int>(HashType::kPdq)];
  if (static_cast<size_t>(pdq_index_->ntotal) != pdqs ||
      static_cast<size_t>(frame_index_->ntotal) != c.frames.size()) {
    return LayerDataLoss(pdqs, " PDQ entries and ", c.frames.size(),
                         " video frames but its indexes hold ",
                         pdq_index_->ntotal, " and ", frame_index_->ntotal,
                         " codes");
  }
  return absl::OkStatus();
}

void SnapshotLayer::IndexColumns() {
  const size_t n = columns_.types.size();
  std::array<uint32_t, kTypeCount> next{};
  for (uint8_t type : columns_.types) ++next[type];
  pdq_rows_.reserve(next[static_cast<int>(HashType::kPdq)]);
  video_entries_.reserve(next[static_cast<int>(HashType::kVpdq)]);
  for (HashType type : {HashType::kMd5, HashType::kSha1, HashType::kSha256}) {
    digest_lookup_[DigestSlot(type)].reserve(next[static_cast<int>(type)]);
  }
  next = {};
  slots_.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    const HashType type = static_cast<HashType>(columns_.types[i]);
    slots_.push_back(next[static_cast<int>(type)]++);
    switch (type) {
      case HashType::kPdq:
        pdq_rows_.push_back(i);
        break;
      case HashType::kVpdq:
        video_entries_.push_back(i);
        break;
      case HashType::kMd5:
      case HashType::kSha1:
      case HashType::kSha256:
        digest_lookup_[DigestSlot(type)].push_back(i);
        break;
    }
  }
  // Entries were appended in ascending order: a stable sort by digest
  // leaves equal digests in entry order.
  for (std::vector<uint32_t>& lookup : digest_lookup_) {
    std::stable_sort(lookup.begin(), lookup.end(), [&](uint32_t a, uint32_t b) {
      return Digest(a) < Digest(b);
    });
  }
}

std::string_view SnapshotLayer::String(uint32_t id) const {
  const uint64_t begin = columns_.string_offsets[id];
  return std::string_view(columns_.string_chars)
      .substr(begin, columns_.string_offsets[id + 1] - begin);
}

std::string_view SnapshotLayer::Digest(uint32_t entry) const {
  const HashType type = static_cast<HashType>(columns_.types[entry]);
  const size_t length = DigestLength(type);
  return std::string_view(columns_.digests[DigestSlot(type)])
      .substr(slots_[entry] * length, length);
}

std::string_view SnapshotLayer::entry_id(uint32_t i) const {
  const uint64_t begin = columns_.id_offsets[i];
  return std::string_view(columns_.id_chars)
      .substr(begin, columns_.id_offsets[i + 1] - begin);
}

std::string_view SnapshotLayer::source_feed(uint32_t i) const {
  return String(columns_.labels[i].source_feed);
}

EntryView SnapshotLayer::entry(uint32_t i) const {
  EntryView view;
  view.type = static_cast<HashType>(columns_.types[i]);
  view.entry_id = entry_id(i);
  view.bank = String(columns_.labels[i].bank);
  view.category = String(columns_.labels[i].category);
  view.source_feed = String(columns_.labels[i].source_feed);
  view.added_at = columns_.added_at[i];
  switch (view.type) {
    case HashType::kPdq: {
      // The row exists (checked at Build/Restore): reconstruct cannot throw.
      std::array<uint8_t, PdqHash::kBytes> code;
      pdq_index_->reconstruct(slots_[i], code.data());
      view.pdq = PdqHash(code);
      break;
    }
    case HashType::kMd5:
    case HashType::kSha1:
    case HashType::kSha256:
      view.digest = Digest(i);
      break;
    case HashType::kVpdq: {
      const uint32_t begin = columns_.frame_offsets[slots_[i]];
      view.frames =
          absl::MakeConstSpan(columns_.frames)
              .subspan(begin, columns_.frame_offsets[slots_[i] + 1] - begin);
      break;
    }
  }
  return view;
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
  const std::vector<uint32_t>& offsets = columns_.frame_offsets;
  return RangeSearch(
      *frame_index_, queries, n, max_distance,
      [&](int query, uint32_t row, int distance) {
        // The video whose frames [offsets[k], offsets[k + 1]) hold `row`.
        const size_t video =
            std::upper_bound(offsets.begin(), offsets.end(), row) -
            offsets.begin() - 1;
        hits->push_back(
            {query, video_entries_[video], row - offsets[video], distance});
      });
}

absl::Span<const uint32_t> SnapshotLayer::LookupDigest(
    HashType type, std::string_view digest) const {
  const int slot = DigestSlot(type);
  if (slot < 0 || digest.size() != DigestLength(type)) return {};
  const std::vector<uint32_t>& lookup = digest_lookup_[slot];
  const auto begin = std::lower_bound(
      lookup.begin(), lookup.end(), digest,
      [&](uint32_t entry, std::string_view d) { return Digest(entry) < d; });
  const auto end = std::upper_bound(
      begin, lookup.end(), digest,
      [&](std::string_view d, uint32_t entry) { return d < Digest(entry); });
  return absl::Span<const uint32_t>(lookup.data() + (begin - lookup.begin()),
                                    end - begin);
}

}  // namespace clearmatch::index_internal
