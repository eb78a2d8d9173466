// RecordWriter: the bounded queue of verdict records that
// ReviewStore::Enqueue feeds, and the thread that writes them in batches
// through a store's write function (one transaction per batch).
//
//   RecordWriter writer(options, [&](std::vector<v1::MatchRecord>& batch) {
//     return WriteInOneTransaction(batch);
//   });
//   if (!writer.Enqueue(record)) ...;  // never blocks on I/O; false: refused
//   writer.Flush();                    // everything enqueued so far is written
//
// A record beyond either queue bound (or after Close) is refused: Enqueue
// says so and counts it (not_recorded). Once taken, a record is never
// dropped: a failed batch goes back to the head of the queue and is
// retried with exponential backoff until the store takes it, and it keeps
// its place in the bounds meanwhile (so a failing store fills the queue
// and new records are refused). Only Close gives up: records a still-
// failing store does not take then are counted as lost and logged.
// Thread-safe. The write function runs on the writer thread only; it must
// stay callable until Close (or the destructor) returns.
#ifndef CLEARMATCH_REVIEW_RECORD_WRITER_H_
#define CLEARMATCH_REVIEW_RECORD_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clearmatch/v1/review.pb.h"
#include "review/review_store.h"

namespace clearmatch {

class RecordWriter {
 public:
  struct Options {
    // Queue bounds (records waiting or being written): records beyond
    // either are refused (and counted).
    size_t max_queued_records = 10000;
    size_t max_queued_bytes = 64 << 20;
    // Records per call of the write function, at most (> 0).
    int max_batch = 256;
    // Wait before retrying a failed batch: doubles from `retry_initial`
    // after each failure in a row, at most `retry_max`.
    absl::Duration retry_initial = absl::Milliseconds(100);
    absl::Duration retry_max = absl::Seconds(30);
    // Warnings (refused records, write errors, lost records); default:
    // none.
    std::function<void(absl::string_view)> log_warning;
  };
  // Writes a batch (it may change the records) or fails as a whole.
  using WriteBatch =
      std::function<absl::Status(std::vector<v1::MatchRecord>& batch)>;

  // Starts the writer thread.
  RecordWriter(Options options, WriteBatch write);
  ~RecordWriter();  // Close()
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // Queues `record` (a zero recorded_unix_micros becomes now); false when
  // it was refused (queue full, or closed).
  bool Enqueue(v1::MatchRecord record);
  // Waits until everything enqueued before the call is written, or until
  // the store is failing (the last write failed: those records stay
  // queued for the retry), or closed.
  void Flush();
  // Writes what is queued (one more attempt per batch, no backoff; what a
  // failing store does not take is lost) and stops the thread. Later
  // Enqueues are refused.
  void Close();
  ReviewStore::Stats stats() const;

 private:
  // A batch taken off the queue; it keeps its place in the bounds.
  struct Batch {
    std::vector<v1::MatchRecord> records;
    std::vector<size_t> bytes;
  };

  void Loop();
  // Waits for records; empty once closing and drained.
  Batch TakeBatch();
  // After a write of `batch`: counts it, or puts it back for a retry (or
  // counts everything left as lost when closing). Returns the wait before
  // the next attempt.
  absl::Duration Finish(Batch& batch, const absl::Status& status);
  // Waits `delay`, or less if Close is called.
  void Backoff(absl::Duration delay);
  void Warn(absl::string_view message) const;

  const Options options_;
  const WriteBatch write_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;  // signalled on enqueue, on progress and on close
  std::deque<v1::MatchRecord> queue_ ABSL_GUARDED_BY(mu_);
  std::deque<size_t> queue_bytes_ ABSL_GUARDED_BY(mu_);  // per record
  // Records (and their bytes) waiting or being written: the bounds.
  size_t held_records_ ABSL_GUARDED_BY(mu_) = 0;
  size_t held_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t enqueued_ ABSL_GUARDED_BY(mu_) = 0;  // accepted, ever
  int64_t done_ ABSL_GUARDED_BY(mu_) = 0;      // written or lost, in order
  int failures_in_a_row_ ABSL_GUARDED_BY(mu_) = 0;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;  // the thread has returned
  ReviewStore::Stats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // last: starts once the rest exists
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_RECORD_WRITER_H_
