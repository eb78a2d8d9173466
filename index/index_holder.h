// IndexHolder: publishes the IndexSnapshot that requests search. Readers
// take the current snapshot with Current() and keep it (a shared_ptr) until
// their request ends; a writer publishes a new one with Swap().
//
//   IndexHolder holder;
//   holder.Swap(snapshot);                                     // feed syncer
//   std::shared_ptr<const IndexSnapshot> s = holder.Current();  // request
//   if (s == nullptr) -> not serving yet
//
// Thread-safe. A mutex is held only to copy or exchange the pointer, so
// readers never wait on a rebuild; the old snapshot is destroyed outside the
// lock by its last holder. Why not std::atomic<std::shared_ptr>: GCC 12's
// compiles, but ThreadSanitizer reports its internal lock bit as a race. Why
// std::mutex, not absl::Mutex: Debian's prebuilt Abseil is not annotated for
// ThreadSanitizer, which then reports every guarded access as a race.
#ifndef CLEARMATCH_INDEX_INDEX_HOLDER_H_
#define CLEARMATCH_INDEX_INDEX_HOLDER_H_

#include <memory>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "index/index_snapshot.h"

namespace clearmatch {

class IndexHolder {
 public:
  IndexHolder() = default;
  IndexHolder(const IndexHolder&) = delete;
  IndexHolder& operator=(const IndexHolder&) = delete;

  // The published snapshot, or nullptr before the first Swap.
  std::shared_ptr<const IndexSnapshot> Current() const;

  // Publishes `snapshot`. INVALID_ARGUMENT for nullptr; FAILED_PRECONDITION
  // (and nothing changes) if it is older than the published one (a
  // compacted snapshot of the same version is fine).
  absl::Status Swap(std::shared_ptr<const IndexSnapshot> snapshot);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const IndexSnapshot> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clearmatch

#endif  // CLEARMATCH_INDEX_INDEX_HOLDER_H_
