// PersistedIndex: the served index on disk, so that a restarted daemon
// serves at once: DIR/index.snap (SnapshotFile) and DIR/index.snap.sources,
// the sources key it was built from (IndexSource::ContentKey of every
// source). A snapshot is reused only when its key is the current one.
//
//   PersistedIndex files(data_dir);
//   CM_ASSIGN_OR_RETURN(auto snapshot, files.ReadIfCurrent(key));
//   if (snapshot == nullptr) ... build from the sources ...
//   CM_RETURN_IF_ERROR(files.Write(*snapshot, key));
//
// Thread-compatible: one writer at a time.
#ifndef CLEARMATCH_SERVING_PERSISTED_INDEX_H_
#define CLEARMATCH_SERVING_PERSISTED_INDEX_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "index/index_snapshot.h"

namespace clearmatch {

class PersistedIndex {
 public:
  // `dir` must exist before Write.
  explicit PersistedIndex(const std::string& dir);

  // The saved snapshot if it was made from `sources_key`; nullptr if there
  // is none, it was made from other sources, or it cannot be read (logged).
  std::shared_ptr<const IndexSnapshot> ReadIfCurrent(
      const std::string& sources_key) const;

  // Replaces both files. The key goes first out and last in: a crash in
  // between leaves no key, so the next start rebuilds rather than trust a
  // snapshot that may not match. Errors of SnapshotFile::Write and
  // WriteFileAtomically.
  absl::Status Write(const IndexSnapshot& snapshot,
                     const std::string& sources_key) const;

  const std::string& snapshot_path() const { return snapshot_path_; }
  const std::string& sources_path() const { return sources_path_; }

 private:
  const std::string snapshot_path_;
  const std::string sources_path_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_SERVING_PERSISTED_INDEX_H_
