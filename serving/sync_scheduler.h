// SyncScheduler: the IndexManager's sync threads, one per source, so that a
// slow source (a clearinghouse's first sync, retries with backoff) never
// holds up the others. Each thread syncs its source at once when started,
// then every interval and whenever a sync is requested.
//
//   SyncScheduler scheduler(sources.size(), absl::Minutes(5),
//                           [this](size_t i) { SyncSource(i); });
//   scheduler.Start();
//   scheduler.Request([] { /* every source synced since the request */ });
//   scheduler.Stop([this] { /* ask the running syncs to return */ });
//
// Thread-safe. `sync(i)` runs on source i's thread only, so these threads
// never sync one source twice at once; different sources' syncs overlap.
#ifndef CLEARMATCH_SERVING_SYNC_SCHEDULER_H_
#define CLEARMATCH_SERVING_SYNC_SCHEDULER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace clearmatch {

class SyncScheduler {
 public:
  // `interval` between a source's syncs; zero: only the first, and on
  // request. `sync(i)` syncs source i (0 <= i < sources).
  SyncScheduler(size_t sources, absl::Duration interval,
                std::function<void(size_t)> sync);
  ~SyncScheduler();  // Stop() with nothing to cancel, if not stopped yet

  SyncScheduler(const SyncScheduler&) = delete;
  SyncScheduler& operator=(const SyncScheduler&) = delete;

  // Starts the threads (once).
  void Start();

  // `done` runs once every source has finished a sync that started after
  // this call, on the thread of the source that finished last (at once,
  // on the caller's, with no sources or after Stop). Requests made before
  // Start wait for it; those still waiting at Stop run then, unsynced.
  void Request(absl::AnyInvocable<void() &&> done);

  // Starts no more syncs, runs `cancel` (to make the running ones return
  // soon), joins the threads and runs the requests still waiting. Later
  // calls do nothing.
  void Stop(absl::FunctionRef<void()> cancel);

 private:
  struct Waiter {
    std::vector<uint64_t> finish;  // per source: its finished_ to wait for
    absl::AnyInvocable<void() &&> done;
  };

  void Run(size_t i);
  // Blocks until source i is due (timer or request): false on stop.
  bool WaitUntilDue(size_t i, absl::Time next_sync);
  // The dones of the waiters every source has caught up with (removed).
  std::vector<absl::AnyInvocable<void() &&>> TakeSatisfied()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration interval_;
  const std::function<void(size_t)> sync_;

  absl::Mutex mu_;
  absl::CondVar wake_;  // a request or the stop
  // Per source: syncs started and finished by its thread; a request waits.
  std::vector<uint64_t> started_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> finished_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> requested_ ABSL_GUARDED_BY(mu_);
  std::vector<Waiter> waiting_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;  // touched by Start and Stop only
};

}  // namespace clearmatch

#endif  // CLEARMATCH_SERVING_SYNC_SCHEDULER_H_
