#include "daemon/worker_pool.h"

#include "absl/cleanup/cleanup.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

// Far above any wait in these tests: reached only when the pool is broken,
// and then the test fails instead of hanging.
constexpr absl::Duration kGenerous = absl::Seconds(60);

// A counter the test can wait on (bounded).
class Counter {
 public:
  void Increment() {
    absl::MutexLock lock(&mu_);
    ++value_;
  }
  int value() const {
    absl::MutexLock lock(&mu_);
    return value_;
  }
  // True once the value is at least `n`; false after `timeout`.
  bool AwaitAtLeast(int n, absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return value_ >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }

 private:
  mutable absl::Mutex mu_;
  int value_ ABSL_GUARDED_BY(mu_) = 0;
};

// Polls `pool.Load()` (it has no condition to wait on) until it is 0;
// false after `timeout`.
bool AwaitIdle(const WorkerPool& pool, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (pool.Load() > 0) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

// Submits a task that signals `started`, waits for `release`, then counts
// itself in `ran`: it holds a worker for as long as the test wants.
bool SubmitHeldTask(WorkerPool& pool, absl::Notification& started,
                    absl::Notification& release, Counter& ran) {
  return pool.TrySubmit([&] {
    started.Notify();
    release.WaitForNotification();
    ran.Increment();
  });
}

TEST(WorkerPoolTest, RefusesAtOnceWhenWorkersAndQueueAreFull) {
  // Declared before the pool, so that they outlive its workers (the pool's
  // destructor joins them), even when an assertion returns early.
  absl::Notification started, release;
  Counter ran;
  WorkerPool pool(/*workers=*/1, /*queue_size=*/1);
  // Whatever fails below, the worker is released (no hang in ~WorkerPool).
  absl::Cleanup unblock = [&] {
    if (!release.HasBeenNotified()) release.Notify();
  };
  ASSERT_TRUE(SubmitHeldTask(pool, started, release, ran));
  ASSERT_TRUE(started.WaitForNotificationWithTimeout(kGenerous));
  // The worker is busy until `release`: the outcomes below are certain.
  EXPECT_TRUE(pool.TrySubmit([&] { ran.Increment(); }));   // waits in queue
  EXPECT_FALSE(pool.TrySubmit([&] { ran.Increment(); }));  // full
  EXPECT_EQ(pool.Load(), 2);
  EXPECT_EQ(ran.value(), 0);
  release.Notify();
  ASSERT_TRUE(ran.AwaitAtLeast(2, kGenerous)) << "ran " << ran.value();
  ASSERT_TRUE(AwaitIdle(pool, kGenerous)) << "load " << pool.Load();
  EXPECT_EQ(ran.value(), 2);  // the refused task never ran
}

TEST(WorkerPoolTest, DestructorRunsEveryAcceptedTask) {
  Counter ran;
  absl::Notification started, release;
  {
    WorkerPool pool(/*workers=*/1, /*queue_size=*/3);
    absl::Cleanup unblock = [&] {
      if (!release.HasBeenNotified()) release.Notify();
    };
    ASSERT_TRUE(SubmitHeldTask(pool, started, release, ran));
    ASSERT_TRUE(started.WaitForNotificationWithTimeout(kGenerous));
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(pool.TrySubmit([&] { ran.Increment(); }));
    }
    EXPECT_EQ(ran.value(), 0);  // all four wait for `release`
    // The cleanup releases the worker just before ~WorkerPool starts; what
    // is still queued then must run before the destructor returns.
  }
  EXPECT_EQ(ran.value(), 4);
}

TEST(WorkerPoolTest, ZeroQueueAcceptsOnlyIdleWorkers) {
  absl::Notification release;  // outlive the pool's workers (see above)
  Counter started;
  WorkerPool pool(2, 0);
  absl::Cleanup unblock = [&] {
    if (!release.HasBeenNotified()) release.Notify();
  };
  auto block = [&] {
    started.Increment();
    release.WaitForNotification();
  };
  EXPECT_TRUE(pool.TrySubmit(block));
  EXPECT_TRUE(pool.TrySubmit(block));
  ASSERT_TRUE(started.AwaitAtLeast(2, kGenerous)) << started.value();
  EXPECT_FALSE(pool.TrySubmit(block));
  release.Notify();
  ASSERT_TRUE(AwaitIdle(pool, kGenerous)) << "load " << pool.Load();
  EXPECT_TRUE(pool.TrySubmit([] {}));  // idle again: accepted
}

}  // namespace
}  // namespace clearmatch
