#include "sandbox/decoder_pool.h"

#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/sandbox_test_util.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch::sandbox {
namespace {

using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using testing::DefaultRequest;
using testing::Fault;
using ::testing::HasSubstr;

DecoderProcess::Wait WaitFor(absl::Duration d) {
  DecoderProcess::Wait wait;
  wait.until = absl::Now() + d;
  return wait;
}

std::unique_ptr<DecoderPool> MakePool(const std::string& path, int size = 1) {
  DecoderPool::Options options;
  options.process.path = path;
  options.size = size;
  absl::StatusOr<std::unique_ptr<DecoderPool>> pool =
      DecoderPool::Create(options);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return pool.ok() ? *std::move(pool) : nullptr;
}

TEST(DecoderPoolTest, ACrashCostsOneDecodeAndTheProcessIsReplaced) {
  std::unique_ptr<DecoderPool> pool = MakePool(testing::FaultsDecoder(), 2);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->live(), 2);
  const std::vector<uint8_t> jpeg =
      ReadFileBytes(TestdataPath("pdq/bridge-1-original.jpg"));
  DecoderProcess::Outcome crashed =
      pool->Decode(DefaultRequest(), Fault("segv"), WaitFor(absl::Seconds(30)));
  EXPECT_EQ(crashed.failure, DecoderFailure::kCrash);
  EXPECT_EQ(pool->live(), 1);
  EXPECT_EQ(pool->restarts(DecoderFailure::kCrash), 1);
  // Both processes serve again (the crashed one is restarted on demand).
  for (int i = 0; i < 2; ++i) {
    std::vector<std::thread> threads;
    std::vector<absl::Status> results(2);
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        results[t] =
            pool->Decode(DefaultRequest(), jpeg, WaitFor(absl::Seconds(60)))
                .result.status();
      });
    }
    for (std::thread& t : threads) t.join();
    for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
  }
  EXPECT_EQ(pool->live(), 2);
  EXPECT_EQ(pool->restarts(DecoderFailure::kCrash), 1);
  const std::string metrics = pool->RenderPrometheus();
  EXPECT_THAT(
      metrics,
      HasSubstr("clearmatch_decoder_restarts_total{cause=\"crash\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("clearmatch_decoder_restarts_total{cause="
                                 "\"sandbox_violation\"} 0"));
  EXPECT_THAT(metrics, HasSubstr("clearmatch_decoder_processes 2"));
}

// A decoder that stops starting (its wrapper script refuses while a file
// exists) is answered UNAVAILABLE with the reason, retried only after a
// backoff, and serves again once it starts.
TEST(DecoderPoolTest, FailedStartsBackOffAndRecover) {
  TempDir dir;
  const std::string broken = dir.File("broken");
  const std::string script = dir.Write(
      "decoder.sh", absl::StrCat("#!/bin/sh\n[ -e ", broken,
                                 " ] && { echo broken >&2; exit 7; }\nexec ",
                                 testing::FaultsDecoder(), " \"$@\"\n"));
  ASSERT_EQ(chmod(script.c_str(), 0700), 0);
  DecoderPool::Options options;
  options.process.path = script;
  options.size = 1;
  // Long enough that the second decode below comes within it however busy
  // the machine is.
  options.min_backoff = absl::Seconds(1);
  absl::StatusOr<std::unique_ptr<DecoderPool>> pool =
      DecoderPool::Create(options);
  ASSERT_TRUE(pool.ok()) << pool.status();

  dir.Write("broken", "");
  EXPECT_EQ(
      (*pool)
          ->Decode(DefaultRequest(), Fault("abort"), WaitFor(absl::Seconds(30)))
          .failure,
      DecoderFailure::kCrash);
  const std::vector<uint8_t> png = ReadFileBytes(TestdataPath("pdq/RGBA.png"));
  absl::Status first =
      (*pool)
          ->Decode(DefaultRequest(), png, WaitFor(absl::Seconds(30)))
          .result.status();
  EXPECT_EQ(first.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(first.message(), HasSubstr("exit status 7"));
  absl::Status second =
      (*pool)
          ->Decode(DefaultRequest(), png, WaitFor(absl::Seconds(30)))
          .result.status();
  EXPECT_EQ(second.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.message(), HasSubstr("retrying in"));

  ASSERT_EQ(unlink(broken.c_str()), 0);
  absl::SleepFor(absl::Milliseconds(2500));  // past the 2 s backoff
  absl::StatusOr<MediaFingerprint> fp =
      (*pool)->Decode(DefaultRequest(), png, WaitFor(absl::Seconds(30))).result;
  EXPECT_TRUE(fp.ok()) << fp.status();
  EXPECT_EQ((*pool)->live(), 1);
}

TEST(DecoderPoolTest, ShutdownEndsDecodesInFlightAndRefusesNewOnes) {
  std::unique_ptr<DecoderPool> pool = MakePool(testing::FaultsDecoder(), 1);
  ASSERT_NE(pool, nullptr);
  absl::Status in_flight;
  absl::Time ended;
  std::thread decode([&] {
    in_flight = pool->Decode(DefaultRequest(), Fault("pause"),
                             WaitFor(absl::Seconds(60)))
                    .result.status();
    ended = absl::Now();
  });
  absl::SleepFor(absl::Milliseconds(300));
  const absl::Time shutdown = absl::Now();
  pool->Shutdown();
  decode.join();
  EXPECT_EQ(in_flight.code(), absl::StatusCode::kUnavailable) << in_flight;
  EXPECT_LT(ended - shutdown, absl::Seconds(5));
  EXPECT_EQ(pool->restarts(DecoderFailure::kShutdown), 0);
  EXPECT_EQ(
      pool->Decode(DefaultRequest(), Fault("pause"), WaitFor(absl::Seconds(60)))
          .result.status()
          .code(),
      absl::StatusCode::kUnavailable);
}

TEST(DecoderPoolTest, APoolThatCannotStartSaysWhy) {
  DecoderPool::Options options;
  options.process.path = "/nonexistent/decoder";
  absl::StatusOr<std::unique_ptr<DecoderPool>> pool =
      DecoderPool::Create(options);
  EXPECT_EQ(pool.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(pool.status().message(), HasSubstr("/nonexistent/decoder"));
}

}  // namespace
}  // namespace clearmatch::sandbox
