#include "index/snapshot_layer_codec.h"

#include <faiss/IndexBinary.h>

#include <array>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/byte_writer.h"
#include "common/status_macros.h"
#include "index/pdq_index_factory.h"
#include "index/snapshot_file.h"

namespace clearmatch::index_internal {
namespace {

namespace layout = snapshot_file_internal;

// A video frame in the file: hash, frame number (i32), seconds (f64).
constexpr size_t kFrameBytes = PdqHash::kBytes + 4 + 8;

static_assert(sizeof(SnapshotLayer::Labels) == 3 * sizeof(uint32_t),
              "labels are written as they are in memory");

// A column's bytes as they are in memory (trivially copyable T, no padding).
template <typename T>
absl::string_view ColumnBytes(const std::vector<T>& column) {
  return absl::string_view(reinterpret_cast<const char*>(column.data()),
                           column.size() * sizeof(T));
}

// Inverse of ColumnBytes. DATA_LOSS if `bytes` is not a whole number of Ts.
template <typename T>
absl::Status CopyColumn(absl::string_view bytes, absl::string_view what,
                        std::vector<T>* column) {
  if (bytes.size() % sizeof(T) != 0) {
    return absl::DataLossError(absl::StrCat(
        what, ": ", bytes.size(), " bytes is not a multiple of ", sizeof(T)));
  }
  column->resize(bytes.size() / sizeof(T));
  if (!bytes.empty()) std::memcpy(column->data(), bytes.data(), bytes.size());
  return absl::OkStatus();
}

// Frames field by field (VpdqFrame has padding, which must not reach the
// file).
std::string FramesBytes(const std::vector<VpdqFrame>& frames) {
  std::string out;
  out.reserve(frames.size() * kFrameBytes);
  ByteWriter w(&out);
  for (const VpdqFrame& frame : frames) {
    w.PutBytes(frame.hash.data(), PdqHash::kBytes);
    w.Put(frame.frame_number);
    w.Put(frame.seconds);
  }
  return out;
}

absl::Status ParseFrames(absl::string_view bytes, absl::string_view what,
                         std::vector<VpdqFrame>* frames) {
  if (bytes.size() % kFrameBytes != 0) {
    return absl::DataLossError(
        absl::StrCat(what, ": ", bytes.size(),
                     " bytes of frames, not a multiple of ", kFrameBytes));
  }
  frames->resize(bytes.size() / kFrameBytes);
  for (size_t i = 0; i < frames->size(); ++i) {
    const char* record = bytes.data() + i * kFrameBytes;
    std::array<uint8_t, PdqHash::kBytes> code;
    std::memcpy(code.data(), record, code.size());
    VpdqFrame& frame = (*frames)[i];
    frame.hash = PdqHash(code);
    std::memcpy(&frame.frame_number, record + PdqHash::kBytes, 4);
    std::memcpy(&frame.seconds, record + PdqHash::kBytes + 4, 8);
  }
  return absl::OkStatus();
}

absl::Span<const uint8_t> AsBytes(absl::string_view s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size());
}

}  // namespace

absl::Status AppendLayerSections(const SnapshotLayer& layer,
                                 std::vector<absl::string_view>* sections,
                                 std::deque<std::string>* owned) {
  const auto own = [&](std::string bytes) {
    sections->push_back(owned->emplace_back(std::move(bytes)));
  };
  const SnapshotLayer::Columns& c = layer.columns();
  sections->push_back(ColumnBytes(c.types));
  sections->push_back(ColumnBytes(c.added_at));
  sections->push_back(ColumnBytes(c.labels));
  sections->push_back(ColumnBytes(c.string_offsets));
  sections->push_back(c.string_chars);
  sections->push_back(ColumnBytes(c.id_offsets));
  sections->push_back(c.id_chars);
  for (const std::string& digests : c.digests) sections->push_back(digests);
  sections->push_back(ColumnBytes(c.frame_offsets));
  own(FramesBytes(c.frames));
  CM_ASSIGN_OR_RETURN(std::string pdq, SerializePdqIndex(layer.pdq_index()));
  own(std::move(pdq));
  CM_ASSIGN_OR_RETURN(std::string frames,
                      SerializePdqIndex(layer.frame_index()));
  own(std::move(frames));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<const SnapshotLayer>> ParseLayerSections(
    absl::Span<const absl::string_view> sections, absl::string_view what) {
  const auto section = [&](layout::LayerSection column) {
    return sections[column];
  };
  SnapshotLayer::Columns c;
  CM_RETURN_IF_ERROR(CopyColumn(section(layout::kTypes), what, &c.types));
  CM_RETURN_IF_ERROR(CopyColumn(section(layout::kAddedAt), what, &c.added_at));
  CM_RETURN_IF_ERROR(CopyColumn(section(layout::kLabels), what, &c.labels));
  CM_RETURN_IF_ERROR(
      CopyColumn(section(layout::kStringOffsets), what, &c.string_offsets));
  c.string_chars = std::string(section(layout::kStringChars));
  CM_RETURN_IF_ERROR(
      CopyColumn(section(layout::kIdOffsets), what, &c.id_offsets));
  c.id_chars = std::string(section(layout::kIdChars));
  c.digests = {std::string(section(layout::kMd5Digests)),
               std::string(section(layout::kSha1Digests)),
               std::string(section(layout::kSha256Digests))};
  CM_RETURN_IF_ERROR(
      CopyColumn(section(layout::kFrameOffsets), what, &c.frame_offsets));
  CM_RETURN_IF_ERROR(ParseFrames(section(layout::kFrames), what, &c.frames));
  CM_ASSIGN_OR_RETURN(std::unique_ptr<faiss::IndexBinary> pdq_index,
                      DeserializePdqIndex(AsBytes(section(layout::kPdqIndex))));
  CM_ASSIGN_OR_RETURN(
      std::unique_ptr<faiss::IndexBinary> frame_index,
      DeserializePdqIndex(AsBytes(section(layout::kFrameIndex))));
  absl::StatusOr<std::unique_ptr<const SnapshotLayer>> restored =
      SnapshotLayer::Restore(std::move(c), std::move(pdq_index),
                             std::move(frame_index));
  if (!restored.ok()) {
    return absl::Status(restored.status().code(),
                        absl::StrCat(what, ": ", restored.status().message()));
  }
  return restored;
}

}  // namespace clearmatch::index_internal
