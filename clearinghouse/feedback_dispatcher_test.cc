// Tests of FeedbackDispatcher on a real SQLite review store with fake sinks
// (the real ones are tested with their sources): both verdicts reach the
// sink of their bank, an override sends the new verdict, a failing bank
// backs off without delaying the others and gets everything after it
// recovers, rejections are counted and dropped, a restart resumes with the
// stored attempts, a bank without a sink is never sent, and a SIGKILL
// during a batch sends that batch again. Rounds are stepped with RunOnce on
// a fake clock; the thread is tested once (Wake, Stop).
#include "clearinghouse/feedback_dispatcher.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "review/sqlite_review_store.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// What a fake sink was sent: "entry_id/hash_type C|FP" per delivered item,
// and the size of every Send call. Shared with the test (the dispatcher
// owns the sink).
struct SinkLog {
  absl::Mutex mu;
  std::vector<std::string> delivered ABSL_GUARDED_BY(mu);
  std::vector<int64_t> delivered_ids ABSL_GUARDED_BY(mu);
  std::vector<size_t> batches ABSL_GUARDED_BY(mu);

  std::vector<std::string> Delivered() {
    absl::MutexLock lock(&mu);
    return delivered;
  }
  std::vector<size_t> Batches() {
    absl::MutexLock lock(&mu);
    return batches;
  }
};

class FakeSink final : public FeedbackSink {
 public:
  // `result` decides each item's outcome; default: sent.
  using Result = std::function<FeedbackResult(const FeedbackItem&)>;
  FakeSink(std::string bank, size_t max_batch, SinkLog& log,
           Result result = nullptr)
      : bank_(std::move(bank)),
        max_batch_(max_batch),
        log_(log),
        result_(std::move(result)) {}

  const std::string& bank() const override { return bank_; }
  size_t max_batch() const override { return max_batch_; }
  std::vector<FeedbackResult> Send(
      absl::Span<const FeedbackItem> items) override {
    EXPECT_LE(items.size(), max_batch_);
    std::vector<FeedbackResult> results;
    absl::MutexLock lock(&log_.mu);
    log_.batches.push_back(items.size());
    for (const FeedbackItem& item : items) {
      EXPECT_EQ(item.bank, bank_);
      results.push_back(result_ ? result_(item) : FeedbackResult{});
      if (results.back().outcome == FeedbackOutcome::kSent) {
        log_.delivered.push_back(absl::StrCat(
            item.entry_id, "/", item.hash_type, " ",
            item.verdict == FeedbackVerdict::kConfirmed ? "C" : "FP"));
        log_.delivered_ids.push_back(item.id);
      }
    }
    return results;
  }

 private:
  const std::string bank_;
  const size_t max_batch_;
  SinkLog& log_;
  const Result result_;
};

FeedbackResult Retry() {
  return {FeedbackOutcome::kRetry, absl::UnavailableError("503, gave up")};
}

// A record matching `entries` ("bank/entry/hash_type").
v1::MatchRecord Record(const std::vector<std::string>& entries) {
  v1::MatchRecord record;
  record.set_content_id("c");
  record.set_decision(v1::BLOCK);
  for (const std::string& entry : entries) {
    const std::vector<std::string> parts = absl::StrSplit(entry, '/');
    v1::Match* match = record.add_matches();
    match->set_bank(parts[0]);
    match->set_entry_id(parts[1]);
    match->set_hash_type(parts[2]);
    match->set_source_feed(parts[0]);
  }
  return record;
}

std::unique_ptr<ReviewStore> OpenStore(const std::string& path) {
  SqliteReviewStore::Options options;
  options.path = path;
  auto store = SqliteReviewStore::Create(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

int64_t AddMatch(ReviewStore& store, const std::vector<std::string>& entries) {
  store.Enqueue(Record(entries));
  store.Flush();
  auto page = store.ListMatches({});
  EXPECT_TRUE(page.ok()) << page.status();
  return page->matches(0).match_id();
}

void Decide(ReviewStore& store, int64_t id, v1::ReviewOutcome outcome,
            bool override = false) {
  v1::DecideRequest request;
  request.set_match_id(id);
  request.set_outcome(outcome);
  request.set_reviewer("alice");
  request.set_override(override);
  ASSERT_TRUE(store.Decide(request).ok());
}

std::vector<v1::FeedbackRow> Rows(ReviewStore& store) {
  v1::ListFeedbackRequest request;
  request.set_page_size(1000);
  auto page = store.ListFeedback(request);
  EXPECT_TRUE(page.ok()) << page.status();
  return {page->rows().begin(), page->rows().end()};
}

class FeedbackDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = OpenStore(dir_.File("review.sqlite")); }

  // A dispatcher on the fake clock with an NCMEC-like sink (one item per
  // Send) and a StopNCII-like one (batches of 100).
  std::unique_ptr<FeedbackDispatcher> Dispatcher(
      FakeSink::Result ncmec_result = nullptr) {
    std::vector<std::unique_ptr<FeedbackSink>> sinks;
    sinks.push_back(std::make_unique<FakeSink>("ncmec", 1, ncmec_,
                                               std::move(ncmec_result)));
    sinks.push_back(std::make_unique<FakeSink>("stopncii", 100, stopncii_));
    FeedbackDispatcher::Options options;
    options.now = [this] { return now_; };
    return std::make_unique<FeedbackDispatcher>(*store_, std::move(sinks),
                                                options);
  }

  TempDir dir_;
  std::unique_ptr<ReviewStore> store_;
  SinkLog ncmec_, stopncii_;
  absl::Time now_ = absl::Now();
};

TEST_F(FeedbackDispatcherTest, BothVerdictsReachTheSinkOfTheirBankOnly) {
  const int64_t a = AddMatch(*store_, {"ncmec/m-1/md5", "tid/e1/pdq"});
  const int64_t b = AddMatch(*store_, {"stopncii/h2/pdq"});
  Decide(*store_, a, v1::CONFIRMED);
  Decide(*store_, b, v1::FALSE_POSITIVE);
  auto dispatcher = Dispatcher();
  ASSERT_TRUE(dispatcher->RunOnce().ok());

  EXPECT_THAT(ncmec_.Delivered(), ElementsAre("m-1/md5 C"));
  EXPECT_THAT(stopncii_.Delivered(), ElementsAre("h2/pdq FP"));
  const std::vector<v1::FeedbackRow> rows = Rows(*store_);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].state(), v1::FEEDBACK_SENT);
  EXPECT_EQ(rows[1].bank(), "tid");  // no sink: no clearinghouse's entry
  EXPECT_EQ(rows[1].state(), v1::FEEDBACK_NOT_APPLICABLE);
  EXPECT_EQ(rows[2].state(), v1::FEEDBACK_SENT);
  FeedbackDispatcher::Counters counters = dispatcher->counters();
  EXPECT_EQ(counters.not_applicable, 1u);
  EXPECT_EQ(counters.banks["ncmec"].sent, 1u);
  EXPECT_EQ(counters.banks["stopncii"].sent, 1u);
  EXPECT_EQ(counters.banks.count("tid"), 0u);

  // Nothing is sent twice, and the tid row is never picked again.
  now_ += absl::Hours(1);
  ASSERT_TRUE(dispatcher->RunOnce().ok());
  EXPECT_EQ(ncmec_.Batches().size(), 1u);
  EXPECT_EQ(stopncii_.Batches().size(), 1u);
  EXPECT_EQ(dispatcher->counters().not_applicable, 1u);
}

TEST_F(FeedbackDispatcherTest, AnOverrideSendsTheNewVerdictOnlyTheLatest) {
  const int64_t id = AddMatch(*store_, {"ncmec/m-1/pdq"});
  auto dispatcher = Dispatcher();
  Decide(*store_, id, v1::CONFIRMED);
  ASSERT_TRUE(dispatcher->RunOnce().ok());
  Decide(*store_, id, v1::FALSE_POSITIVE, /*override=*/true);
  ASSERT_TRUE(dispatcher->RunOnce().ok());
  // Two overrides before the next round: only the latest goes out.
  Decide(*store_, id, v1::CONFIRMED, /*override=*/true);
  Decide(*store_, id, v1::FALSE_POSITIVE, /*override=*/true);
  ASSERT_TRUE(dispatcher->RunOnce().ok());
  EXPECT_THAT(ncmec_.Delivered(),
              ElementsAre("m-1/pdq C", "m-1/pdq FP", "m-1/pdq FP"));
  EXPECT_EQ(Rows(*store_)[2].state(), v1::FEEDBACK_SUPERSEDED);
}

TEST_F(FeedbackDispatcherTest, AFailingBankBacksOffAndGetsEverythingOnce) {
  bool down = true;
  auto dispatcher = Dispatcher([&down](const FeedbackItem&) {
    return down ? Retry() : FeedbackResult{};
  });
  for (int i = 1; i <= 3; ++i) {
    Decide(*store_, AddMatch(*store_, {absl::StrCat("ncmec/m-", i, "/pdq")}),
           v1::CONFIRMED);
  }
  Decide(*store_, AddMatch(*store_, {"stopncii/h1/pdq"}), v1::CONFIRMED);
  const absl::Time t0 = now_;

  // The first NCMEC item fails: the bank backs off, its other rows wait.
  ASSERT_TRUE(dispatcher->RunOnce().ok());
  EXPECT_EQ(ncmec_.Batches().size(), 1u);
  EXPECT_THAT(stopncii_.Delivered(), ElementsAre("h1/pdq C"));
  std::vector<v1::FeedbackRow> rows = Rows(*store_);
  EXPECT_EQ(rows[0].attempts(), 1);
  EXPECT_EQ(rows[0].next_attempt_unix_micros(),
            absl::ToUnixMicros(t0 + absl::Seconds(30)));
  EXPECT_THAT(rows[0].last_error(), HasSubstr("503"));
  EXPECT_EQ(rows[1].attempts(), 0);

  // While NCMEC backs off, StopNCII's new rows still go at once.
  Decide(*store_, AddMatch(*store_, {"stopncii/h2/pdq"}), v1::CONFIRMED);
  now_ = t0 + absl::Seconds(1);
  ASSERT_TRUE(dispatcher->RunOnce().ok());
  EXPECT_EQ(ncmec_.Batches().size(), 1u);
  EXPECT_THAT(stopncii_.Delivered(), ElementsAre("h1/pdq C", "h2/pdq C"));

  // Still down at the end of the backoff: the next one doubles.
  now_ = t0 + absl::Seconds(30);
  ASSERT_TRUE(dispatcher->RunOnce().ok());
  EXPECT_EQ(ncmec_.Batches().size(), 2u);
  rows = Rows(*store_);
  EXPECT_EQ(rows[0].attempts(), 2);
  EXPECT_EQ(rows[0].next_attempt_unix_micros(),
            absl::ToUnixMicros(now_ + absl::Seconds(60)));
  now_ = t0 + absl::Seconds(60);
  ASSERT_TRUE(dispatcher->RunOnce().ok());
  EXPECT_EQ(ncmec_.Batches().size(), 2u);  // backing off for 60 s

  // Recovered: everything, each once.
  down = false;
  now_ = t0 + absl::Seconds(90);
  ASSERT_TRUE(dispatcher->RunOnce().ok());
  EXPECT_THAT(ncmec_.Delivered(),
              ElementsAre("m-1/pdq C", "m-2/pdq C", "m-3/pdq C"));
  now_ += absl::Hours(10);
  ASSERT_TRUE(dispatcher->RunOnce().ok());
  EXPECT_EQ(ncmec_.Delivered().size(), 3u);
  FeedbackDispatcher::BankCounters ncmec =
      dispatcher->counters().banks["ncmec"];
  EXPECT_EQ(ncmec.sent, 3u);
  EXPECT_EQ(ncmec.retried, 2u);
  EXPECT_EQ(ncmec.pending, 0);
}

TEST_F(FeedbackDispatcherTest, RejectedRowsAreDroppedWithACount) {
  auto dispatcher = Dispatcher([](const FeedbackItem& item) {
    if (item.entry_id != "m-bad") return FeedbackResult{};
    return FeedbackResult{FeedbackOutcome::kRejected,
                          absl::FailedPreconditionError("HTTP 400")};
  });
  Decide(*store_, AddMatch(*store_, {"ncmec/m-bad/pdq", "ncmec/m-1/pdq"}),
         v1::FALSE_POSITIVE);
  ASSERT_TRUE(dispatcher->RunOnce().ok());
  now_ += absl::Hours(1);
  ASSERT_TRUE(dispatcher->RunOnce().ok());
  EXPECT_THAT(ncmec_.Delivered(), ElementsAre("m-1/pdq FP"));
  EXPECT_EQ(ncmec_.Batches().size(), 2u);  // the rejected one was tried once
  const std::vector<v1::FeedbackRow> rows = Rows(*store_);
  EXPECT_EQ(rows[0].state(), v1::FEEDBACK_REJECTED);
  EXPECT_THAT(rows[0].last_error(), HasSubstr("HTTP 400"));
  EXPECT_EQ(dispatcher->counters().banks["ncmec"].rejected, 1u);
}

TEST_F(FeedbackDispatcherTest, ARestartResumesPendingRowsWithTheirAttempts) {
  Decide(*store_, AddMatch(*store_, {"ncmec/m-1/pdq"}), v1::CONFIRMED);
  const absl::Time t0 = now_;
  auto failing = [](const FeedbackItem&) { return Retry(); };
  ASSERT_TRUE(Dispatcher(failing)->RunOnce().ok());

  // A new process: a new store object on the same file, new dispatchers.
  store_ = OpenStore(dir_.File("review.sqlite"));
  now_ = t0 + absl::Seconds(10);  // not due yet
  ASSERT_TRUE(Dispatcher(failing)->RunOnce().ok());
  EXPECT_EQ(ncmec_.Batches().size(), 1u);
  now_ = t0 + absl::Seconds(30);
  ASSERT_TRUE(Dispatcher(failing)->RunOnce().ok());
  EXPECT_EQ(ncmec_.Batches().size(), 2u);
  std::vector<v1::FeedbackRow> rows = Rows(*store_);
  EXPECT_EQ(rows[0].attempts(), 2);  // the second retry waits twice as long
  EXPECT_EQ(rows[0].next_attempt_unix_micros(),
            absl::ToUnixMicros(now_ + absl::Seconds(60)));

  now_ = t0 + absl::Seconds(90);
  ASSERT_TRUE(Dispatcher()->RunOnce().ok());
  EXPECT_THAT(ncmec_.Delivered(), ElementsAre("m-1/pdq C"));
  rows = Rows(*store_);
  EXPECT_EQ(rows[0].state(), v1::FEEDBACK_SENT);
  EXPECT_EQ(rows[0].attempts(), 3);
}

TEST_F(FeedbackDispatcherTest, BatchesOfTheSinksSize) {
  std::vector<std::string> entries;
  for (int i = 0; i < 5; ++i)
    entries.push_back(absl::StrCat("sb/h", i, "/pdq"));
  Decide(*store_, AddMatch(*store_, entries), v1::CONFIRMED);
  SinkLog log;
  std::vector<std::unique_ptr<FeedbackSink>> sinks;
  sinks.push_back(std::make_unique<FakeSink>("sb", 2, log));
  FeedbackDispatcher dispatcher(*store_, std::move(sinks), {});
  ASSERT_TRUE(dispatcher.RunOnce().ok());
  EXPECT_THAT(log.Batches(), ElementsAre(2u, 2u, 1u));
  EXPECT_EQ(log.Delivered().size(), 5u);
}

// A sink that answers with the wrong number of results: retried, not lost.
class BrokenSink final : public FeedbackSink {
 public:
  const std::string& bank() const override { return bank_; }
  size_t max_batch() const override { return 10; }
  std::vector<FeedbackResult> Send(absl::Span<const FeedbackItem>) override {
    return {};
  }

 private:
  const std::string bank_ = "ncmec";
};

TEST_F(FeedbackDispatcherTest, AWrongNumberOfResultsIsARetry) {
  Decide(*store_, AddMatch(*store_, {"ncmec/m-1/pdq"}), v1::CONFIRMED);
  std::vector<std::unique_ptr<FeedbackSink>> sinks;
  sinks.push_back(std::make_unique<BrokenSink>());
  FeedbackDispatcher dispatcher(*store_, std::move(sinks), {});
  ASSERT_TRUE(dispatcher.RunOnce().ok());
  const std::vector<v1::FeedbackRow> rows = Rows(*store_);
  EXPECT_EQ(rows[0].state(), v1::FEEDBACK_PENDING);
  EXPECT_EQ(rows[0].attempts(), 1);
  EXPECT_THAT(rows[0].last_error(), HasSubstr("returned 0 results for 1"));
}

TEST_F(FeedbackDispatcherTest, TheThreadSendsSoonAfterWakeAndStopsPromptly) {
  absl::Notification sent;
  SinkLog log;
  std::vector<std::unique_ptr<FeedbackSink>> sinks;
  sinks.push_back(
      std::make_unique<FakeSink>("ncmec", 1, log, [&sent](const FeedbackItem&) {
        if (!sent.HasBeenNotified()) sent.Notify();
        return FeedbackResult{};
      }));
  FeedbackDispatcher::Options options;
  options.poll_interval = absl::Hours(1);  // only Wake makes it send
  FeedbackDispatcher dispatcher(*store_, std::move(sinks), options);
  dispatcher.Start();
  Decide(*store_, AddMatch(*store_, {"ncmec/m-1/pdq"}), v1::CONFIRMED);
  dispatcher.Wake();
  ASSERT_TRUE(sent.WaitForNotificationWithTimeout(absl::Seconds(60)));
  const absl::Time stop = absl::Now();
  dispatcher.Stop();
  EXPECT_LT(absl::Now() - stop, absl::Seconds(5));
  EXPECT_THAT(log.Delivered(), ElementsAre("m-1/pdq C"));
}

// A sink that reports the batch it got on `fd` and then never returns.
class BlockingSink final : public FeedbackSink {
 public:
  explicit BlockingSink(int fd) : fd_(fd) {}
  const std::string& bank() const override { return bank_; }
  size_t max_batch() const override { return 100; }
  std::vector<FeedbackResult> Send(
      absl::Span<const FeedbackItem> items) override {
    for (const FeedbackItem& item : items) {
      if (write(fd_, &item.id, sizeof(item.id)) != sizeof(item.id)) _exit(5);
    }
    close(fd_);
    while (true) pause();
  }

 private:
  const std::string bank_ = "ncmec";
  const int fd_;
};

// A child process runs the dispatcher; its sink blocks in Send and the
// parent SIGKILLs it there. A new dispatcher on the same file sends the
// whole batch: at least once, never zero times.
TEST(FeedbackDispatcherCrashTest, AKilledBatchIsSentAfterTheRestart) {
  TempDir dir;
  const std::string path = dir.File("review.sqlite");
  {
    std::unique_ptr<ReviewStore> store = OpenStore(path);
    ASSERT_NE(store, nullptr);
    Decide(*store, AddMatch(*store, {"ncmec/m-1/pdq", "ncmec/m-2/md5"}),
           v1::CONFIRMED);
    Decide(*store, AddMatch(*store, {"ncmec/m-3/pdq"}), v1::FALSE_POSITIVE);
  }  // closed before the fork: no thread of it is left in the parent
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    SqliteReviewStore::Options options;
    options.path = path;
    auto store = SqliteReviewStore::Create(options);
    if (!store.ok()) _exit(3);
    std::vector<std::unique_ptr<FeedbackSink>> sinks;
    sinks.push_back(std::make_unique<BlockingSink>(pipe_fds[1]));
    FeedbackDispatcher dispatcher(**store, std::move(sinks), {});
    (void)dispatcher.RunOnce();
    _exit(4);  // never reached: Send blocks
  }
  close(pipe_fds[1]);
  std::vector<int64_t> in_flight;
  int64_t id = 0;
  while (read(pipe_fds[0], &id, sizeof(id)) == sizeof(id)) {
    in_flight.push_back(id);
  }
  close(pipe_fds[0]);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child stopped on its own";
  ASSERT_EQ(in_flight.size(), 3u);

  std::unique_ptr<ReviewStore> store = OpenStore(path);
  ASSERT_NE(store, nullptr);
  SinkLog log;
  std::vector<std::unique_ptr<FeedbackSink>> sinks;
  sinks.push_back(std::make_unique<FakeSink>("ncmec", 100, log));
  FeedbackDispatcher dispatcher(*store, std::move(sinks), {});
  ASSERT_TRUE(dispatcher.RunOnce().ok());
  EXPECT_THAT(log.Delivered(),
              ElementsAre("m-1/pdq C", "m-2/md5 C", "m-3/pdq FP"));
  absl::MutexLock lock(&log.mu);
  EXPECT_THAT(log.delivered_ids,
              UnorderedElementsAre(in_flight[0], in_flight[1], in_flight[2]));
  for (const v1::FeedbackRow& row : Rows(*store)) {
    EXPECT_EQ(row.state(), v1::FEEDBACK_SENT) << row.id();
  }
}

}  // namespace
}  // namespace clearmatch
