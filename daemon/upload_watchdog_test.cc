#include "daemon/upload_watchdog.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

// Over its limit once `over` is set; counts the calls it gets.
class FakeCall final : public UploadWatchdog::Watched {
 public:
  bool ClaimExpiry(absl::Time) override {
    ++claims;
    return over.load();
  }
  void Expire() override {
    ++expiries;
    expired.Notify();
  }

  std::atomic<bool> over{false};
  std::atomic<int> claims{0};
  std::atomic<int> expiries{0};
  absl::Notification expired;
};

TEST(UploadWatchdogTest, ExpiresACallOverItsLimitOnceAndForgetsIt) {
  FakeCall call;
  {
    UploadWatchdog watchdog(absl::Milliseconds(1));
    watchdog.Watch(&call);
    call.over = true;
    ASSERT_TRUE(call.expired.WaitForNotificationWithTimeout(absl::Minutes(1)));
    const int claims = call.claims.load();
    absl::SleepFor(absl::Milliseconds(50));
    EXPECT_EQ(call.claims.load(), claims);  // no longer asked
  }  // joins: no call can be in flight after this
  EXPECT_EQ(call.expiries.load(), 1);
}

TEST(UploadWatchdogTest, CallWithinItsLimitIsAskedButNeverExpired) {
  FakeCall call;
  {
    UploadWatchdog watchdog(absl::Milliseconds(1));
    watchdog.Watch(&call);
    const absl::Time give_up = absl::Now() + absl::Minutes(1);
    while (call.claims.load() < 3 && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    watchdog.Unwatch(&call);
    const int claims = call.claims.load();
    EXPECT_GE(claims, 3);
    call.over = true;  // too late: it is not watched
    absl::SleepFor(absl::Milliseconds(50));
    EXPECT_EQ(call.claims.load(), claims);
  }
  EXPECT_EQ(call.expiries.load(), 0);
}

}  // namespace
}  // namespace clearmatch
