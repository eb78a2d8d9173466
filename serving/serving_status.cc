// Names of the typed status values.
#include "serving/serving_status.h"

namespace clearmatch {

absl::string_view IndexOriginName(IndexOrigin origin) {
  switch (origin) {
    case IndexOrigin::kNone:
      return "";
    case IndexOrigin::kSnapshotFile:
      return "snapshot_file";
    case IndexOrigin::kSources:
      return "sources";
    case IndexOrigin::kSync:
      return "sync";
    case IndexOrigin::kCompaction:
      return "compaction";
  }
  return "";
}

}  // namespace clearmatch
