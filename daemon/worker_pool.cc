// Bounded worker pool.
#include "daemon/worker_pool.h"

#include <utility>

namespace clearmatch {

WorkerPool::WorkerPool(int workers, int queue_size) : queue_size_(queue_size) {
  threads_.reserve(workers);
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& thread : threads_) thread.join();
}

bool WorkerPool::TrySubmit(absl::AnyInvocable<void() &&> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return false;
  const int idle = static_cast<int>(threads_.size()) - running_;
  const int waiting = static_cast<int>(queue_.size());
  // A task waits only if no worker is free to take it.
  if (waiting - idle >= queue_size_) return false;
  queue_.push_back(std::move(task));
  return true;
}

int64_t WorkerPool::Load() const {
  absl::MutexLock lock(&mu_);
  return running_ + static_cast<int64_t>(queue_.size());
}

void WorkerPool::Run() {
  for (;;) {
    absl::AnyInvocable<void() &&> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WorkerPool* pool) ABSL_EXCLUSIVE_LOCKS_REQUIRED(pool->mu_) {
            return pool->stopping_ || !pool->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopping, and everything ran
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    std::move(task)();
    absl::MutexLock lock(&mu_);
    --running_;
  }
}

}  // namespace clearmatch
