// The snapshot file and its sources key.
#include "serving/persisted_index.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "common/file_io.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "index/snapshot_file.h"

namespace clearmatch {
namespace {

// A sources key is a few lines per source.
constexpr uint64_t kMaxSourcesKeyBytes = 1 << 20;

}  // namespace

PersistedIndex::PersistedIndex(const std::string& dir)
    : snapshot_path_(absl::StrCat(dir, "/index.snap")),
      sources_path_(absl::StrCat(dir, "/index.snap.sources")) {}

std::shared_ptr<const IndexSnapshot> PersistedIndex::ReadIfCurrent(
    const std::string& sources_key) const {
  absl::StatusOr<std::string> saved_key =
      ReadFileToString(sources_path_, kMaxSourcesKeyBytes);
  if (!saved_key.ok() || *saved_key != sources_key) return nullptr;
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> snapshot =
      SnapshotFile::Read(snapshot_path_, {});
  if (!snapshot.ok()) {
    LogWarning(absl::StrCat("ignoring the index snapshot file: ",
                            snapshot.status().ToString()));
    return nullptr;
  }
  return *std::move(snapshot);
}

absl::Status PersistedIndex::Write(const IndexSnapshot& snapshot,
                                   const std::string& sources_key) const {
  std::error_code ignored;
  std::filesystem::remove(sources_path_, ignored);
  CM_RETURN_IF_ERROR(SnapshotFile::Write(snapshot, snapshot_path_));
  return WritePrivateFileAtomically(sources_path_, sources_key);
}

}  // namespace clearmatch
