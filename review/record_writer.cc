// The verdict record queue and its writer thread.
#include "review/record_writer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace clearmatch {

RecordWriter::RecordWriter(Options options, WriteBatch write)
    : options_(std::move(options)),
      write_(std::move(write)),
      thread_([this] { Loop(); }) {}

RecordWriter::~RecordWriter() { Close(); }

void RecordWriter::Warn(absl::string_view message) const {
  if (options_.log_warning) options_.log_warning(message);
}

bool RecordWriter::Enqueue(v1::MatchRecord record) {
  if (record.recorded_unix_micros() == 0) {
    record.set_recorded_unix_micros(absl::ToUnixMicros(absl::Now()));
  }
  const size_t bytes = record.ByteSizeLong();
  int64_t refused = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!closing_ && held_records_ < options_.max_queued_records &&
        held_bytes_ + bytes <= options_.max_queued_bytes) {
      ++held_records_;
      held_bytes_ += bytes;
      queue_.push_back(std::move(record));
      queue_bytes_.push_back(bytes);
      ++enqueued_;
      cv_.SignalAll();
      return true;
    }
    refused = ++stats_.not_recorded;
  }
  // The first refusal and then one in a thousand: bounded logging.
  if (refused % 1000 == 1) {
    Warn(
        absl::StrCat("review store: queue full or closed, verdict record "
                     "not recorded (",
                     refused, " so far)"));
  }
  return false;
}

void RecordWriter::Flush() {
  absl::MutexLock lock(&mu_);
  const int64_t target = enqueued_;
  while (done_ < target && failures_in_a_row_ == 0 && !stopped_) {
    cv_.Wait(&mu_);
  }
}

void RecordWriter::Close() {
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;
    cv_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

ReviewStore::Stats RecordWriter::stats() const {
  absl::MutexLock lock(&mu_);
  ReviewStore::Stats stats = stats_;
  stats.queued = static_cast<int64_t>(held_records_);
  return stats;
}

RecordWriter::Batch RecordWriter::TakeBatch() {
  Batch batch;
  absl::MutexLock lock(&mu_);
  while (queue_.empty() && !closing_) cv_.Wait(&mu_);
  while (!queue_.empty() &&
         batch.records.size() < static_cast<size_t>(options_.max_batch)) {
    batch.records.push_back(std::move(queue_.front()));
    batch.bytes.push_back(queue_bytes_.front());
    queue_.pop_front();
    queue_bytes_.pop_front();
  }
  return batch;
}

absl::Duration RecordWriter::Finish(Batch& batch, const absl::Status& status) {
  const int64_t size = static_cast<int64_t>(batch.records.size());
  int64_t lost = 0;
  absl::Duration delay = absl::ZeroDuration();
  {
    absl::MutexLock lock(&mu_);
    if (status.ok() || closing_) {
      // Written, or given up: a closing store gets no second chance, and
      // neither does the rest of its queue.
      if (!status.ok()) {
        lost = size + static_cast<int64_t>(queue_.size());
        queue_.clear();
        queue_bytes_.clear();
        held_records_ = 0;
        held_bytes_ = 0;
        stats_.lost += lost;
        done_ = enqueued_;
      } else {
        stats_.recorded += size;
        done_ += size;
        held_records_ -= batch.records.size();
        for (size_t bytes : batch.bytes) held_bytes_ -= bytes;
        failures_in_a_row_ = 0;
      }
    } else {
      // Back to the head of the queue, in order, for the retry.
      for (size_t i = batch.records.size(); i-- > 0;) {
        queue_.push_front(std::move(batch.records[i]));
        queue_bytes_.push_front(batch.bytes[i]);
      }
      ++stats_.write_failures;
      delay = std::min(options_.retry_max,
                       options_.retry_initial *
                           (int64_t{1} << std::min(failures_in_a_row_, 20)));
      ++failures_in_a_row_;
    }
    cv_.SignalAll();
  }
  if (lost > 0) {
    Warn(absl::StrCat("review store: closing with the store still failing: ",
                      lost, " verdict records lost: ", status.message()));
  } else if (!status.ok()) {
    Warn(absl::StrCat("review store: writing ", size,
                      " verdict records failed (kept, retried in ",
                      absl::FormatDuration(delay), "): ", status.message()));
  }
  return delay;
}

void RecordWriter::Backoff(absl::Duration delay) {
  const absl::Time until = absl::Now() + delay;
  absl::MutexLock lock(&mu_);
  while (!closing_ && absl::Now() < until) {
    cv_.WaitWithDeadline(&mu_, until);
  }
}

void RecordWriter::Loop() {
  while (true) {
    Batch batch = TakeBatch();
    if (batch.records.empty()) break;  // closing and drained
    const absl::Status status = write_(batch.records);
    const absl::Duration delay = Finish(batch, status);
    if (delay > absl::ZeroDuration()) Backoff(delay);
  }
  absl::MutexLock lock(&mu_);
  stopped_ = true;
  cv_.SignalAll();
}

}  // namespace clearmatch
