// FeedbackDispatcher: sends the review store's feedback outbox
// (review/review_store.h) to the clearinghouses. Each round takes the due
// rows oldest first, routes them by bank to that bank's FeedbackSink in
// batches of the sink's max_batch(), and records every result in the store:
// sent, retry later (exponential backoff per row from its stored attempts,
// so it holds across restarts), or rejected for good. Rows of a bank
// without a sink are no clearinghouse's: they are marked not applicable,
// without a network call, and never picked again. A bank whose sink asks
// for a retry backs off (in memory, exponentially); its rows are left out
// of the next rounds until then, so the other banks' rows still go.
//
// Delivery is at least once: a row is marked sent after Send returned, so a
// crash during a batch sends that batch again after the restart.
//
//   FeedbackDispatcher dispatcher(store, std::move(sinks), {});
//   dispatcher.Start();     // its own thread
//   ... store.Decide(...); dispatcher.Wake();   // send soon
//   dispatcher.Stop();      // also the destructor
//
// Thread-safe. The store calls are short (no lock is held across Send), so
// Check and Decide never wait for a clearinghouse. Stop waits for a Send
// in progress (the sinks' own timeouts bound it), then returns.
#ifndef CLEARMATCH_CLEARINGHOUSE_FEEDBACK_DISPATCHER_H_
#define CLEARMATCH_CLEARINGHOUSE_FEEDBACK_DISPATCHER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clearinghouse/feedback_sink.h"
#include "clearmatch/v1/review.pb.h"
#include "review/review_store.h"

namespace clearmatch {

class FeedbackDispatcher {
 public:
  struct Options {
    // Between rounds when nothing wakes the thread.
    absl::Duration poll_interval = absl::Seconds(30);
    // Rows taken from the store per round, at most.
    int batch_limit = 500;
    // A row's n-th retry waits initial_backoff * 2^(n-1), at most
    // max_backoff; a failing bank backs off the same way per consecutive
    // failed round.
    absl::Duration initial_backoff = absl::Seconds(30);
    absl::Duration max_backoff = absl::Hours(1);
    // The clock of due times and backoffs; default absl::Now.
    std::function<absl::Time()> now;
  };

  // Since construction, per bank (banks with a sink); `pending` as of the
  // last round (the store's count).
  struct BankCounters {
    uint64_t sent = 0;
    uint64_t retried = 0;
    uint64_t rejected = 0;
    int64_t pending = 0;
  };
  struct Counters {
    std::map<std::string, BankCounters> banks;
    uint64_t not_applicable = 0;  // rows of banks without a sink
    uint64_t store_errors = 0;    // rounds that failed on the store
  };

  // Borrows `store`, which must outlive the dispatcher. One sink per bank
  // (a second one for the same bank is ignored).
  FeedbackDispatcher(ReviewStore& store,
                     std::vector<std::unique_ptr<FeedbackSink>> sinks,
                     Options options);
  ~FeedbackDispatcher();  // Stop()
  FeedbackDispatcher(const FeedbackDispatcher&) = delete;
  FeedbackDispatcher& operator=(const FeedbackDispatcher&) = delete;

  // Starts the thread (once): a round now, then one every poll_interval
  // or soon after Wake().
  void Start();
  // Makes the thread run a round soon (e.g. after a decision).
  void Wake();
  // Stops the thread after the batch in progress; idempotent.
  void Stop();

  // One round, on the caller's thread (tests step the dispatcher with it
  // instead of Start). Returns the store's error, if any (the round stops
  // there; rows not yet recorded are due again in the next one).
  absl::Status RunOnce();

  Counters counters() const;

 private:
  // One sink and its bank's backoff.
  struct Lane {
    std::unique_ptr<FeedbackSink> sink;
    int failures = 0;  // consecutive rounds with a retry
    absl::Time backoff_until = absl::InfinitePast();
  };

  absl::Status RunOnceLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  // Sends `rows` (all of lane's bank) in batches; stops at the first batch
  // with a retry (the bank backs off) or on Stop.
  absl::Status SendBank(Lane& lane, const std::vector<v1::FeedbackRow>& rows)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  // Records the results of one batch; true if any was a retry.
  absl::StatusOr<bool> ApplyResults(const std::string& bank,
                                    const std::vector<v1::FeedbackRow>& batch,
                                    const std::vector<FeedbackResult>& results);
  absl::Status RefreshPending();
  absl::Duration Backoff(int attempts) const;
  void Loop();
  bool stopping() const;

  ReviewStore& store_;
  const Options options_;

  absl::Mutex run_mu_;  // one round at a time
  std::map<std::string, Lane> lanes_ ABSL_GUARDED_BY(run_mu_);

  mutable absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  Counters counters_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_FEEDBACK_DISPATCHER_H_
