// UploadWatchdog: one thread that ends calls which overstay a limit (a
// CheckUpload past its deadline or under its minimum data rate) without
// blocking a gRPC callback thread. Every `tick` it asks each watched call
// whether it is over a limit; a call that says so has claimed its own end
// and is then told to Expire() (outside the watchdog's lock), once.
//
//   UploadWatchdog watchdog(absl::Milliseconds(100));
//   watchdog.Watch(&call);   // call implements UploadWatchdog::Watched
//   ...
//   watchdog.Unwatch(&call); // before `call` is destroyed
//
// Thread-safe. The destructor stops and joins the thread; every watched
// call must be unwatched (or expired) by then.
#ifndef CLEARMATCH_DAEMON_UPLOAD_WATCHDOG_H_
#define CLEARMATCH_DAEMON_UPLOAD_WATCHDOG_H_

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace clearmatch {

class UploadWatchdog {
 public:
  class Watched {
   public:
    // Called with the watchdog's lock held: must be quick, must not block
    // and must not call the watchdog. True when the call is over a limit
    // at `now` and has claimed its end (it will finish no other way); the
    // watchdog then forgets it and calls Expire().
    virtual bool ClaimExpiry(absl::Time now) = 0;
    // Ends the call (e.g. Finish with DEADLINE_EXCEEDED). Called once,
    // without the watchdog's lock, after ClaimExpiry returned true.
    virtual void Expire() = 0;

   protected:
    ~Watched() = default;
  };

  explicit UploadWatchdog(absl::Duration tick);
  ~UploadWatchdog();
  UploadWatchdog(const UploadWatchdog&) = delete;
  UploadWatchdog& operator=(const UploadWatchdog&) = delete;

  void Watch(Watched* call);
  // After this returns the watchdog does not touch `call` again (unless it
  // is watched again). A call already expired is not watched: a no-op.
  void Unwatch(Watched* call);

 private:
  void Run();

  const absl::Duration tick_;
  absl::Mutex mu_;
  absl::flat_hash_set<Watched*> watched_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_UPLOAD_WATCHDOG_H_
