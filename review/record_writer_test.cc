// RecordWriter with a fake write function: batching, Flush, bounded
// queueing, failed writes and Close.
#include "review/record_writer.h"

#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
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

  bool fail = false;  // set before the writes it is for
  absl::Notification* gate = nullptr;

 private:
  mutable absl::Mutex mu_;
  std::vector<size_t> batch_sizes_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::MatchRecord> written_ ABSL_GUARDED_BY(mu_);
};

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
  EXPECT_EQ(stats.dropped + stats.write_errors + stats.queued, 0);
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

TEST(RecordWriterTest, FullQueueDropsCountsAndWarnsOnce) {
  FakeSink sink;
  absl::Notification gate;
  sink.gate = &gate;
  RecordWriter::Options options;
  options.max_queued_records = 2;
  options.max_batch = 1;
  int warnings = 0;  // only the enqueueing thread warns about drops
  options.log_warning = [&](absl::string_view) { ++warnings; };
  RecordWriter writer(options, WriteTo(sink));
  for (int i = 0; i < 10; ++i) writer.Enqueue(Record("c"));
  const ReviewStore::Stats during = writer.stats();
  EXPECT_GE(during.dropped, 7);  // at most 2 queued + 1 being written
  EXPECT_LE(during.queued, 2);
  EXPECT_EQ(warnings, 1) << "the first drop warns, the next 999 do not";
  gate.Notify();
  writer.Flush();
  const ReviewStore::Stats after = writer.stats();
  EXPECT_EQ(after.recorded + after.dropped, 10);
  EXPECT_EQ(after.recorded, static_cast<int64_t>(sink.written().size()));
}

TEST(RecordWriterTest, ByteBoundDropsLargeRecords) {
  FakeSink sink;
  RecordWriter::Options options;
  options.max_queued_bytes = 100;
  RecordWriter writer(options, WriteTo(sink));
  writer.Enqueue(Record(std::string(200, 'x')));
  writer.Enqueue(Record("small"));
  writer.Flush();
  EXPECT_EQ(writer.stats().dropped, 1);
  ASSERT_EQ(sink.written().size(), 1u);
  EXPECT_EQ(sink.written()[0].content_id(), "small");
}

TEST(RecordWriterTest, FailedWritesAreCountedAndLogged) {
  FakeSink sink;
  sink.fail = true;
  RecordWriter::Options options;
  options.max_batch = 4;
  std::vector<std::string> warnings;  // written by the writer thread
  absl::Mutex warnings_mu;
  options.log_warning = [&](absl::string_view message) {
    absl::MutexLock lock(&warnings_mu);
    warnings.emplace_back(message);
  };
  RecordWriter writer(options, WriteTo(sink));
  for (int i = 0; i < 6; ++i) writer.Enqueue(Record("c"));
  writer.Flush();
  const ReviewStore::Stats stats = writer.stats();
  EXPECT_EQ(stats.write_errors, 6);
  EXPECT_EQ(stats.recorded, 0);
  absl::MutexLock lock(&warnings_mu);
  ASSERT_FALSE(warnings.empty());
  EXPECT_THAT(warnings[0], ::testing::HasSubstr("verdict records lost"));
  EXPECT_THAT(warnings[0], ::testing::HasSubstr("disk full"));
}

TEST(RecordWriterTest, CloseWritesWhatIsQueuedAndLaterRecordsAreDropped) {
  FakeSink sink;
  absl::Notification gate;
  sink.gate = &gate;
  RecordWriter writer({}, WriteTo(sink));
  for (int i = 0; i < 5; ++i) writer.Enqueue(Record("c"));
  gate.Notify();
  writer.Close();
  EXPECT_EQ(sink.written().size(), 5u);
  writer.Enqueue(Record("late"));
  writer.Flush();  // returns at once: nothing was accepted
  EXPECT_EQ(writer.stats().dropped, 1);
  EXPECT_EQ(sink.written().size(), 5u);
}

}  // namespace
}  // namespace clearmatch
