// WorkerPool: a fixed set of threads running decode+hash tasks, with a
// bounded queue. TrySubmit refuses at once when every worker is busy and the
// queue is full, so an overloaded daemon answers RESOURCE_EXHAUSTED instead
// of piling up memory.
//
//   WorkerPool pool(/*workers=*/2, /*queue_size=*/64);
//   if (!pool.TrySubmit([&] { ... })) reject(RESOURCE_EXHAUSTED);
//
// Thread-safe. The destructor runs every task already accepted, then joins.
#ifndef CLEARMATCH_DAEMON_WORKER_POOL_H_
#define CLEARMATCH_DAEMON_WORKER_POOL_H_

#include <cstdint>
#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace clearmatch {

class WorkerPool {
 public:
  // `workers` >= 1 threads; at most `queue_size` tasks wait beyond those
  // running.
  WorkerPool(int workers, int queue_size);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False (and `task` is dropped unrun) when the queue is full or the pool
  // is stopping.
  bool TrySubmit(absl::AnyInvocable<void() &&> task);

  // Tasks running plus waiting.
  int64_t Load() const;
  int workers() const { return static_cast<int>(threads_.size()); }

 private:
  void Run();

  const int queue_size_;
  mutable absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_WORKER_POOL_H_
