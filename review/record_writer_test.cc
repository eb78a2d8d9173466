// RecordWriter with a fake write function: batching, Flush, bounded
// queueing, failed writes kept and retried until the store recovers, and
// Close (which counts what a still-failing store loses).
#include "review/record_writer.h"

#include <atomic>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::Each;
using ::testing::Le;

v1::MatchRecord Record(const std::string& content_id) {
  v1::MatchRecord record;
  record.set_content_id(content_id);
  return record;
}

// Records what it is given; fails while `fail` is set; waits at `gate`
// when one is set.
class FakeSink {
 public:
  absl::Status Write(std::vector<v1::MatchRecord>& batch) {
    if (gate != nullptr) gate->WaitForNotification();
    absl::MutexLock lock(&mu_);
    batch_sizes_.push_back(batch.size());
    ++attempts_;
    if (fail) return absl::ResourceExhaustedError("disk full");
    for (const v1::MatchRecord& record : batch) written_.push_back(record);
    return absl::OkStatus();
  }
  std::vector<size_t> batch_sizes() const {
    absl::MutexLock lock(&mu_);
    return batch_sizes_;
  }
  std::vector<v1::MatchRecord> written() const {
    absl::MutexLock lock(&mu_);
    return written_;
  }

  int attempts() const {
    absl::MutexLock lock(&mu_);
    return attempts_;
  }

  std::atomic<bool> fail{false};
  absl::Notification* gate = nullptr;

 private:
  mutable absl::Mutex mu_;
  std::vector<size_t> batch_sizes_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::MatchRecord> written_ ABSL_GUARDED_BY(mu_);
  int attempts_ ABSL_GUARDED_BY(mu_) = 0;
};

// Retries at once (tests do not wait for backoff unless they ask to).
RecordWriter::Options FastRetries() {
  RecordWriter::Options options;
  options.retry_initial = absl::Milliseconds(1);
  options.retry_max = absl::Milliseconds(5);
  return options;
}

// Waits (bounded) until `done` holds.
template <typename Predicate>
bool Eventually(Predicate done) {
  const absl::Time until = absl::Now() + absl::Seconds(30);
  while (!done()) {
    if (absl::Now() > until) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

RecordWriter::WriteBatch WriteTo(FakeSink& sink) {
  return [&sink](std::vector<v1::MatchRecord>& batch) {
    return sink.Write(batch);
  };
}

TEST(RecordWriterTest, FlushWaitsForEverythingInBatchesInOrder) {
  FakeSink sink;
  RecordWriter::Options options;
  options.max_batch = 3;
  RecordWriter writer(options, WriteTo(sink));
  for (int i = 0; i < 10; ++i) writer.Enqueue(Record(std::to_string(i)));
  writer.Flush();
  const std::vector<v1::MatchRecord> written = sink.written();
  ASSERT_EQ(written.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(written[i].content_id(), std::to_string(i));
    EXPECT_GT(written[i].recorded_unix_micros(), 0) << "now, when zero";
  }
  EXPECT_THAT(sink.batch_sizes(), Each(Le(3u)));
  const ReviewStore::Stats stats = writer.stats();
  EXPECT_EQ(stats.recorded, 10);
  EXPECT_EQ(
      stats.not_recorded + stats.write_failures + stats.lost + stats.queued, 0);
}

TEST(RecordWriterTest, GivenTimesAreKept) {
  FakeSink sink;
  RecordWriter writer({}, WriteTo(sink));
  v1::MatchRecord record = Record("c");
  record.set_recorded_unix_micros(42);
  writer.Enqueue(record);
  writer.Flush();
  ASSERT_EQ(sink.written().size(), 1u);
  EXPECT_EQ(sink.written()[0].recorded_unix_micros(), 42);
}

TEST(RecordWriterTest, FullQueueRefusesCountsAndWarnsOnce) {
  FakeSink sink;
  absl::Notification gate;
  sink.gate = &gate;
  RecordWriter::Options options;
  options.max_queued_records = 2;
  options.max_batch = 1;
  int warnings = 0;  // only the enqueueing thread warns about refusals
  options.log_warning = [&](absl::string_view) { ++warnings; };
  RecordWriter writer(options, WriteTo(sink));
  int refused = 0;
  for (int i = 0; i < 10; ++i) refused += writer.Enqueue(Record("c")) ? 0 : 1;
  const ReviewStore::Stats during = writer.stats();
  // The record being written still counts in the bound.
  EXPECT_EQ(refused, 8);
  EXPECT_EQ(during.not_recorded, 8);
  EXPECT_EQ(during.queued, 2);
  EXPECT_EQ(warnings, 1) << "the first refusal warns, the next 999 do not";
  gate.Notify();
  writer.Flush();
  const ReviewStore::Stats after = writer.stats();
  EXPECT_EQ(after.recorded, 2);
  EXPECT_EQ(after.recorded, static_cast<int64_t>(sink.written().size()));
}

TEST(RecordWriterTest, ByteBoundDropsLargeRecords) {
  FakeSink sink;
  RecordWriter::Options options;
  options.max_queued_bytes = 100;
  RecordWriter writer(options, WriteTo(sink));
  EXPECT_FALSE(writer.Enqueue(Record(std::string(200, 'x'))));
  EXPECT_TRUE(writer.Enqueue(Record("small")));
  writer.Flush();
  EXPECT_EQ(writer.stats().not_recorded, 1);
  ASSERT_EQ(sink.written().size(), 1u);
  EXPECT_EQ(sink.written()[0].content_id(), "small");
}

TEST(RecordWriterTest, FailedBatchesStayQueuedUntilTheStoreRecovers) {
  FakeSink sink;
  sink.fail = true;
  RecordWriter::Options options = FastRetries();
  options.max_batch = 4;
  std::vector<std::string> warnings;  // written by the writer thread
  absl::Mutex warnings_mu;
  options.log_warning = [&](absl::string_view message) {
    absl::MutexLock lock(&warnings_mu);
    warnings.emplace_back(message);
  };
  RecordWriter writer(options, WriteTo(sink));
  for (int i = 0; i < 6; ++i) {
    EXPECT_TRUE(writer.Enqueue(Record(std::to_string(i))));
  }
  ASSERT_TRUE(Eventually([&] { return sink.attempts() >= 3; }));
  writer.Flush();  // returns while the store fails: nothing is written
  ReviewStore::Stats stats = writer.stats();
  EXPECT_GE(stats.write_failures, 2);
  EXPECT_EQ(stats.recorded, 0);
  EXPECT_EQ(stats.queued, 6);
  EXPECT_EQ(stats.lost, 0);

  sink.fail = false;  // the disk has room again
  ASSERT_TRUE(Eventually([&] { return writer.stats().recorded == 6; }));
  const std::vector<v1::MatchRecord> written = sink.written();
  ASSERT_EQ(written.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(written[i].content_id(), std::to_string(i)) << "order kept";
  }
  stats = writer.stats();
  EXPECT_EQ(stats.queued, 0);
  EXPECT_EQ(stats.lost + stats.not_recorded, 0);
  absl::MutexLock lock(&warnings_mu);
  ASSERT_FALSE(warnings.empty());
  EXPECT_THAT(warnings[0], ::testing::HasSubstr("kept, retried"));
  EXPECT_THAT(warnings[0], ::testing::HasSubstr("disk full"));
}

TEST(RecordWriterTest, AFailingStoreFillsTheQueueAndLaterRecordsAreRefused) {
  FakeSink sink;
  sink.fail = true;
  RecordWriter::Options options = FastRetries();
  options.max_queued_records = 3;
  RecordWriter writer(options, WriteTo(sink));
  std::vector<bool> taken;
  for (int i = 0; i < 5; ++i) taken.push_back(writer.Enqueue(Record("c")));
  EXPECT_THAT(taken, ::testing::ElementsAre(true, true, true, false, false));
  EXPECT_EQ(writer.stats().not_recorded, 2);
  sink.fail = false;
  ASSERT_TRUE(Eventually([&] { return writer.stats().recorded == 3; }));
  EXPECT_TRUE(writer.Enqueue(Record("room again")));
}

TEST(RecordWriterTest, BackoffDoublesUpToItsMaximum) {
  FakeSink sink;
  sink.fail = true;
  RecordWriter::Options options;
  options.retry_initial = absl::Milliseconds(20);
  options.retry_max = absl::Milliseconds(40);
  RecordWriter writer(options, WriteTo(sink));
  const absl::Time start = absl::Now();
  writer.Enqueue(Record("c"));
  // Attempts at about 0, 20, 60, 100 ms: never spinning.
  ASSERT_TRUE(Eventually([&] { return sink.attempts() >= 4; }));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(100));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_LE(sink.attempts(), 4 + 4) << "retried faster than retry_max";
}

TEST(RecordWriterTest, CloseWithTheStoreStillFailingCountsTheLostRecords) {
  FakeSink sink;
  sink.fail = true;
  RecordWriter::Options options;
  options.retry_initial = absl::Seconds(60);  // Close cuts the wait short
  std::vector<std::string> warnings;
  absl::Mutex warnings_mu;
  options.log_warning = [&](absl::string_view message) {
    absl::MutexLock lock(&warnings_mu);
    warnings.emplace_back(message);
  };
  RecordWriter writer(options, WriteTo(sink));
  for (int i = 0; i < 4; ++i) writer.Enqueue(Record("c"));
  ASSERT_TRUE(Eventually([&] { return writer.stats().write_failures >= 1; }));
  const absl::Time start = absl::Now();
  writer.Close();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  const ReviewStore::Stats stats = writer.stats();
  EXPECT_EQ(stats.lost, 4);
  EXPECT_EQ(stats.queued, 0);
  EXPECT_EQ(stats.recorded, 0);
  absl::MutexLock lock(&warnings_mu);
  ASSERT_FALSE(warnings.empty());
  EXPECT_THAT(warnings.back(), ::testing::HasSubstr("4 verdict records lost"));
}

TEST(RecordWriterTest, CloseWritesWhatIsQueuedAndLaterRecordsAreRefused) {
  FakeSink sink;
  absl::Notification gate;
  sink.gate = &gate;
  RecordWriter writer({}, WriteTo(sink));
  for (int i = 0; i < 5; ++i) writer.Enqueue(Record("c"));
  gate.Notify();
  writer.Close();
  EXPECT_EQ(sink.written().size(), 5u);
  EXPECT_FALSE(writer.Enqueue(Record("late")));
  writer.Flush();  // returns at once: nothing was accepted
  EXPECT_EQ(writer.stats().not_recorded, 1);
  EXPECT_EQ(writer.stats().lost, 0);
  EXPECT_EQ(sink.written().size(), 5u);
}

}  // namespace
}  // namespace clearmatch
