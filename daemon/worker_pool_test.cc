#include "daemon/worker_pool.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

TEST(WorkerPoolTest, RefusesAtOnceWhenWorkersAndQueueAreFull) {
  WorkerPool pool(/*workers=*/1, /*queue_size=*/1);
  absl::Notification started, release;
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.TrySubmit([&] {
    started.Notify();
    release.WaitForNotification();
    ++ran;
  }));
  started.WaitForNotification();                 // the worker is busy
  EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));   // waits in the queue
  EXPECT_FALSE(pool.TrySubmit([&] { ++ran; }));  // full
  EXPECT_EQ(pool.Load(), 2);
  release.Notify();
  // The destructor runs what was accepted.
  {
    WorkerPool drained(1, 0);
    EXPECT_TRUE(drained.TrySubmit([&] { ++ran; }));
  }
  while (pool.Load() > 0) {
  }
  EXPECT_EQ(ran.load(), 3);
}

TEST(WorkerPoolTest, ZeroQueueAcceptsOnlyIdleWorkers) {
  WorkerPool pool(2, 0);
  absl::Notification release;
  std::atomic<int> started{0};
  auto block = [&] {
    ++started;
    release.WaitForNotification();
  };
  EXPECT_TRUE(pool.TrySubmit(block));
  EXPECT_TRUE(pool.TrySubmit(block));
  while (started.load() < 2) {
  }
  EXPECT_FALSE(pool.TrySubmit(block));
  release.Notify();
}

}  // namespace
}  // namespace clearmatch
