// The verdict record queue and its writer thread.
#include "review/record_writer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace clearmatch {

RecordWriter::RecordWriter(Options options, WriteBatch write)
    : options_(std::move(options)),
      write_(std::move(write)),
      thread_([this] { Loop(); }) {}

RecordWriter::~RecordWriter() { Close(); }

void RecordWriter::Warn(absl::string_view message) const {
  if (options_.log_warning) options_.log_warning(message);
}

void RecordWriter::Enqueue(v1::MatchRecord record) {
  if (record.recorded_unix_micros() == 0) {
    record.set_recorded_unix_micros(absl::ToUnixMicros(absl::Now()));
  }
  const size_t bytes = record.ByteSizeLong();
  int64_t dropped = 0;
  {
    absl::MutexLock lock(&mu_);
    if (closing_ || queue_.size() >= options_.max_queued_records ||
        queued_bytes_ + bytes > options_.max_queued_bytes) {
      dropped = ++stats_.dropped;
    } else {
      queued_bytes_ += bytes;
      queue_.push_back({std::move(record), bytes});
      ++enqueued_;
      cv_.SignalAll();
      return;
    }
  }
  // The first drop and then one in a thousand: bounded logging.
  if (dropped % 1000 == 1) {
    Warn(absl::StrCat("review store: queue full, verdict record dropped (",
                      dropped, " dropped so far)"));
  }
}

void RecordWriter::Flush() {
  absl::MutexLock lock(&mu_);
  const int64_t target = enqueued_;
  while (processed_ < target) cv_.Wait(&mu_);
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
  stats.queued = static_cast<int64_t>(queue_.size());
  return stats;
}

std::vector<v1::MatchRecord> RecordWriter::TakeBatch() {
  std::vector<v1::MatchRecord> batch;
  absl::MutexLock lock(&mu_);
  while (queue_.empty() && !closing_) cv_.Wait(&mu_);
  while (!queue_.empty() &&
         batch.size() < static_cast<size_t>(options_.max_batch)) {
    queued_bytes_ -= queue_.front().bytes;
    batch.push_back(std::move(queue_.front().record));
    queue_.pop_front();
  }
  return batch;
}

void RecordWriter::Loop() {
  while (true) {
    std::vector<v1::MatchRecord> batch = TakeBatch();
    if (batch.empty()) return;  // closing and drained
    const absl::Status status = write_(batch);
    if (!status.ok()) {
      Warn(absl::StrCat("review store: ", batch.size(),
                        " verdict records lost: ", status.message()));
    }
    absl::MutexLock lock(&mu_);
    (status.ok() ? stats_.recorded : stats_.write_errors) +=
        static_cast<int64_t>(batch.size());
    processed_ += static_cast<int64_t>(batch.size());
    cv_.SignalAll();
  }
}

}  // namespace clearmatch
