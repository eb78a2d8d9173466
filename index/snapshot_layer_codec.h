// The snapshot-file form of one SnapshotLayer: its columns as they are in
// memory (frames field by field), the PDQ index and the frame index, as the
// sections LayerSection lists (index/snapshot_file.h has the file layout).
// Internal to SnapshotFile.
#ifndef CLEARMATCH_INDEX_SNAPSHOT_LAYER_CODEC_H_
#define CLEARMATCH_INDEX_SNAPSHOT_LAYER_CODEC_H_

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "index/snapshot_layer.h"

namespace clearmatch::index_internal {

// Appends the kLayerSections sections of `layer`, in file order, to
// `sections`: views into the layer, or into `owned` for those made here (a
// deque: its elements never move). Both must outlive the views' use.
absl::Status AppendLayerSections(const SnapshotLayer& layer,
                                 std::vector<absl::string_view>* sections,
                                 std::deque<std::string>* owned);

// Inverse of AppendLayerSections: `sections` holds the kLayerSections views
// in file order. DATA_LOSS (prefixed with `what`, e.g. "main layer") for
// columns of a wrong size or inconsistent with each other.
absl::StatusOr<std::unique_ptr<const SnapshotLayer>> ParseLayerSections(
    absl::Span<const absl::string_view> sections, absl::string_view what);

}  // namespace clearmatch::index_internal

#endif  // CLEARMATCH_INDEX_SNAPSHOT_LAYER_CODEC_H_
