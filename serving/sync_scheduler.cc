// One sync thread per source, with its timer and the requests it answers.
#include "serving/sync_scheduler.h"

#include <utility>

namespace clearmatch {

SyncScheduler::SyncScheduler(size_t sources, absl::Duration interval,
                             std::function<void(size_t)> sync)
    : interval_(interval),
      sync_(std::move(sync)),
      started_(sources, 0),
      finished_(sources, 0),
      requested_(sources, false) {}

SyncScheduler::~SyncScheduler() {
  Stop([] {});
}

void SyncScheduler::Start() {
  absl::MutexLock lock(&mu_);
  if (stopping_ || !threads_.empty()) return;
  for (size_t i = 0; i < started_.size(); ++i) {
    threads_.emplace_back([this, i] { Run(i); });
  }
}

void SyncScheduler::Request(absl::AnyInvocable<void() &&> done) {
  std::vector<absl::AnyInvocable<void() &&>> ready;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      ready.push_back(std::move(done));
    } else {
      Waiter waiter;
      // The next sync of each source starts after now and is its
      // started_ + 1st; it has finished once finished_ gets there.
      for (size_t i = 0; i < started_.size(); ++i) {
        waiter.finish.push_back(started_[i] + 1);
        requested_[i] = true;
      }
      waiter.done = std::move(done);
      waiting_.push_back(std::move(waiter));
      wake_.SignalAll();
      ready = TakeSatisfied();
    }
  }
  for (auto& run : ready) std::move(run)();
}

void SyncScheduler::Stop(absl::FunctionRef<void()> cancel) {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    wake_.SignalAll();
  }
  cancel();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  std::vector<Waiter> unanswered;
  {
    absl::MutexLock lock(&mu_);
    unanswered.swap(waiting_);
  }
  for (Waiter& waiter : unanswered) std::move(waiter.done)();
}

std::vector<absl::AnyInvocable<void() &&>> SyncScheduler::TakeSatisfied() {
  std::vector<absl::AnyInvocable<void() &&>> ready;
  std::vector<Waiter> still_waiting;
  for (Waiter& waiter : waiting_) {
    bool satisfied = true;
    for (size_t i = 0; i < waiter.finish.size(); ++i) {
      if (finished_[i] < waiter.finish[i]) satisfied = false;
    }
    if (satisfied) {
      ready.push_back(std::move(waiter.done));
    } else {
      still_waiting.push_back(std::move(waiter));
    }
  }
  waiting_.swap(still_waiting);
  return ready;
}

bool SyncScheduler::WaitUntilDue(size_t i, absl::Time next_sync) {
  absl::MutexLock lock(&mu_);
  while (!stopping_ && !requested_[i] && absl::Now() < next_sync) {
    wake_.WaitWithDeadline(&mu_, next_sync);
  }
  if (stopping_) return false;
  requested_[i] = false;
  ++started_[i];
  return true;
}

void SyncScheduler::Run(size_t i) {
  absl::Time next_sync = absl::Now();
  while (WaitUntilDue(i, next_sync)) {
    sync_(i);
    next_sync = interval_ > absl::ZeroDuration() ? absl::Now() + interval_
                                                 : absl::InfiniteFuture();
    std::vector<absl::AnyInvocable<void() &&>> ready;
    {
      absl::MutexLock lock(&mu_);
      ++finished_[i];
      ready = TakeSatisfied();
    }
    for (auto& done : ready) std::move(done)();
  }
}

}  // namespace clearmatch
