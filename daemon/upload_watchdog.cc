// The watchdog thread of slow and late uploads.
#include "daemon/upload_watchdog.h"

#include <vector>

namespace clearmatch {

UploadWatchdog::UploadWatchdog(absl::Duration tick)
    : tick_(tick), thread_([this] { Run(); }) {}

UploadWatchdog::~UploadWatchdog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void UploadWatchdog::Watch(Watched* call) {
  absl::MutexLock lock(&mu_);
  watched_.insert(call);
}

void UploadWatchdog::Unwatch(Watched* call) {
  absl::MutexLock lock(&mu_);
  watched_.erase(call);
}

void UploadWatchdog::Run() {
  std::vector<Watched*> expired;
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    // Wakes early only to stop.
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), tick_);
    if (stopping_) break;
    const absl::Time now = absl::Now();
    for (auto it = watched_.begin(); it != watched_.end();) {
      if ((*it)->ClaimExpiry(now)) {
        expired.push_back(*it);
        watched_.erase(it++);
      } else {
        ++it;
      }
    }
    if (expired.empty()) continue;
    // Each claimed call stays alive until its Expire ends it.
    mu_.Unlock();
    for (Watched* call : expired) call->Expire();
    expired.clear();
    mu_.Lock();
  }
}

}  // namespace clearmatch
