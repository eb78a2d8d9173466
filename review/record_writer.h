// RecordWriter: the bounded queue of verdict records that
// ReviewStore::Enqueue feeds, and the thread that writes them in batches
// through a store's write function (one transaction per batch).
//
//   RecordWriter writer(options, [&](std::vector<v1::MatchRecord>& batch) {
//     return WriteInOneTransaction(batch);
//   });
//   writer.Enqueue(record);   // never blocks on I/O
//   writer.Flush();           // everything enqueued so far is written
//
// A record beyond either queue bound is dropped and counted; a failed batch
// is counted as write errors and logged; neither reaches the caller.
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
#include "clearmatch/v1/review.pb.h"
#include "review/review_store.h"

namespace clearmatch {

class RecordWriter {
 public:
  struct Options {
    // Queue bounds: records beyond either are dropped (and counted).
    size_t max_queued_records = 10000;
    size_t max_queued_bytes = 64 << 20;
    // Records per call of the write function, at most (> 0).
    int max_batch = 256;
    // Warnings (dropped records, write errors); default: none.
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

  // Queues `record` (a zero recorded_unix_micros becomes now).
  void Enqueue(v1::MatchRecord record);
  // Waits until everything enqueued before the call is written (or failed).
  void Flush();
  // Writes what is queued and stops the thread. Later Enqueues are dropped.
  void Close();
  ReviewStore::Stats stats() const;

 private:
  struct Queued {
    v1::MatchRecord record;
    size_t bytes;
  };

  void Loop();
  // Waits for records; empty once closing and drained.
  std::vector<v1::MatchRecord> TakeBatch();
  void Warn(absl::string_view message) const;

  const Options options_;
  const WriteBatch write_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;  // signalled on enqueue, on progress and on close
  std::deque<Queued> queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t enqueued_ ABSL_GUARDED_BY(mu_) = 0;   // accepted, ever
  int64_t processed_ ABSL_GUARDED_BY(mu_) = 0;  // written or failed
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  ReviewStore::Stats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // last: starts once the rest exists
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_RECORD_WRITER_H_
