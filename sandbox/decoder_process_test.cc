// DecoderProcess against the real decoder and the test-only faults decoder:
// answers, and every abnormal end named and classified.
#include "sandbox/decoder_process.h"

#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/sandbox_test_util.h"
#include "testing/testdata.h"

namespace clearmatch::sandbox {
namespace {

using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::TestdataPath;
using testing::DefaultRequest;
using testing::Fault;
using ::testing::HasSubstr;

std::unique_ptr<DecoderProcess> StartOrDie(const std::string& path,
                                           uint64_t memory = uint64_t{2}
                                                             << 30) {
  DecoderProcess::Options options;
  options.path = path;
  options.memory_bytes = memory;
  absl::StatusOr<std::unique_ptr<DecoderProcess>> process =
      DecoderProcess::Start(options);
  EXPECT_TRUE(process.ok()) << process.status();
  return process.ok() ? *std::move(process) : nullptr;
}

DecoderProcess::Wait WaitFor(absl::Duration d) {
  DecoderProcess::Wait wait;
  wait.until = absl::Now() + d;
  return wait;
}

MediaFingerprint InProcess(const std::vector<uint8_t>& bytes) {
  auto fingerprinter = MediaFingerprinter::Create({});
  EXPECT_TRUE(fingerprinter.ok());
  absl::StatusOr<MediaFingerprint> fp = (*fingerprinter)->Fingerprint(bytes);
  EXPECT_TRUE(fp.ok()) << fp.status();
  return fp.ok() ? *fp : MediaFingerprint{};
}

TEST(DecoderProcessTest, TheRealDecoderAnswersImagesAndVideosAsInProcess) {
  std::unique_ptr<DecoderProcess> process = StartOrDie(testing::RealDecoder());
  ASSERT_NE(process, nullptr);
  for (const char* name :
       {"pdq/bridge-1-original.jpg", "pdq/RGBA.png", "pdq/F.webp",
        "vpdq/test-padded-dimensions.mp4", "vpdq/doorknob-hd-no-bar.mp4"}) {
    const std::vector<uint8_t> bytes = ReadFileBytes(TestdataPath(name));
    DecoderProcess::Outcome outcome =
        process->Decode(DefaultRequest(), bytes, WaitFor(absl::Seconds(120)));
    ASSERT_EQ(outcome.failure, DecoderFailure::kNone)
        << name << ": " << outcome.result.status();
    ASSERT_TRUE(outcome.result.ok()) << name << ": " << outcome.result.status();
    const MediaFingerprint want = InProcess(bytes);
    EXPECT_EQ(outcome.result->digests.sha256, want.digests.sha256) << name;
    EXPECT_EQ(outcome.result->pdq.has_value(), want.pdq.has_value()) << name;
    if (want.pdq) {
      EXPECT_EQ(outcome.result->pdq->hashes, want.pdq->hashes);
    }
    ASSERT_EQ(outcome.result->vpdq.has_value(), want.vpdq.has_value()) << name;
    if (want.vpdq) {
      EXPECT_EQ(outcome.result->vpdq->features, want.vpdq->features) << name;
    }
  }
  EXPECT_TRUE(process->alive());
}

TEST(DecoderProcessTest, TheDecodersOwnErrorsKeepItServing) {
  std::unique_ptr<DecoderProcess> process = StartOrDie(testing::RealDecoder());
  ASSERT_NE(process, nullptr);
  const std::vector<uint8_t> junk = {'n', 'o', 't', ' ', 'm', 'e', 'd', 'i'};
  DecoderProcess::Outcome outcome =
      process->Decode(DefaultRequest(), junk, WaitFor(absl::Seconds(30)));
  EXPECT_EQ(outcome.failure, DecoderFailure::kNone);
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(process->alive());
}

struct FaultCase {
  const char* command;
  DecoderFailure failure;
  absl::StatusCode code;
  const char* message;
};

TEST(DecoderProcessTest, EveryAbnormalEndIsNamedAndTheProcessIsGone) {
  const FaultCase cases[] = {
      {"abort", DecoderFailure::kCrash, absl::StatusCode::kInternal,
       "crashed (signal 6, SIGABRT)"},
      {"segv", DecoderFailure::kCrash, absl::StatusCode::kInternal,
       "crashed (signal 11, SIGSEGV)"},
      {"open", DecoderFailure::kSandboxViolation, absl::StatusCode::kInternal,
       "seccomp allow-list"},
      {"garbage", DecoderFailure::kProtocol, absl::StatusCode::kInternal,
       "broke the protocol"},
  };
  for (const FaultCase& c : cases) {
    std::unique_ptr<DecoderProcess> process =
        StartOrDie(testing::FaultsDecoder());
    ASSERT_NE(process, nullptr);
    DecoderProcess::Outcome outcome = process->Decode(
        DefaultRequest(), Fault(c.command), WaitFor(absl::Seconds(30)));
    EXPECT_EQ(outcome.failure, c.failure)
        << c.command << ": " << outcome.result.status();
    EXPECT_EQ(outcome.result.status().code(), c.code) << c.command;
    EXPECT_THAT(outcome.result.status().message(), HasSubstr(c.message))
        << c.command;
    EXPECT_FALSE(process->alive()) << c.command;
  }
}

TEST(DecoderProcessTest, ABusyLoopDiesOfItsCpuLimit) {
  std::unique_ptr<DecoderProcess> process =
      StartOrDie(testing::FaultsDecoder());
  ASSERT_NE(process, nullptr);
  const absl::Time start = absl::Now();
  DecoderProcess::Wait wait = WaitFor(absl::Seconds(60));
  wait.budget = "1000 ms of CPU";
  DecoderProcess::Outcome outcome =
      process->Decode(DefaultRequest(/*cpu_seconds=*/1), Fault("hang"), wait);
  EXPECT_EQ(outcome.failure, DecoderFailure::kCpu) << outcome.result.status();
  EXPECT_EQ(outcome.result.status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(outcome.result.status().message(), HasSubstr("1000 ms of CPU"));
  EXPECT_THAT(outcome.result.status().message(), HasSubstr("SIGXCPU"));
  // At most 2 s of CPU; generous for a loaded machine.
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
}

TEST(DecoderProcessTest, NoAnswerInTimeIsATimeoutOrTheDeadline) {
  std::unique_ptr<DecoderProcess> process =
      StartOrDie(testing::FaultsDecoder());
  ASSERT_NE(process, nullptr);
  const absl::Time start = absl::Now();
  DecoderProcess::Outcome outcome = process->Decode(
      DefaultRequest(), Fault("pause"), WaitFor(absl::Milliseconds(300)));
  EXPECT_EQ(outcome.failure, DecoderFailure::kTimeout);
  EXPECT_EQ(outcome.result.status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_FALSE(process->alive());

  process = StartOrDie(testing::FaultsDecoder());
  ASSERT_NE(process, nullptr);
  DecoderProcess::Wait wait = WaitFor(absl::Milliseconds(300));
  wait.until_is_deadline = true;
  outcome = process->Decode(DefaultRequest(), Fault("pause"), wait);
  EXPECT_EQ(outcome.failure, DecoderFailure::kDeadline);
  EXPECT_EQ(outcome.result.status().code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST(DecoderProcessTest, CancelAndKillEndADecodeAtOnce) {
  std::unique_ptr<DecoderProcess> process =
      StartOrDie(testing::FaultsDecoder());
  ASSERT_NE(process, nullptr);
  const absl::Time cancel_at = absl::Now() + absl::Milliseconds(200);
  DecoderProcess::Wait wait = WaitFor(absl::Seconds(60));
  wait.cancelled = [cancel_at] { return absl::Now() >= cancel_at; };
  DecoderProcess::Outcome outcome =
      process->Decode(DefaultRequest(), Fault("pause"), wait);
  EXPECT_EQ(outcome.failure, DecoderFailure::kCancelled);
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_LT(absl::Now() - cancel_at, absl::Seconds(5));

  process = StartOrDie(testing::FaultsDecoder());
  ASSERT_NE(process, nullptr);
  std::thread killer([&] {
    absl::SleepFor(absl::Milliseconds(200));
    process->Kill();
  });
  outcome = process->Decode(DefaultRequest(), Fault("pause"),
                            WaitFor(absl::Seconds(60)));
  killer.join();
  EXPECT_EQ(outcome.failure, DecoderFailure::kShutdown);
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kUnavailable);
}

TEST(DecoderProcessTest, AllocationWithoutEndHitsTheMemoryLimit) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizer builds run the decoder without RLIMIT_AS";
#endif
  std::unique_ptr<DecoderProcess> process =
      StartOrDie(testing::FaultsDecoder(), uint64_t{512} << 20);
  ASSERT_NE(process, nullptr);
  DecoderProcess::Outcome outcome = process->Decode(
      DefaultRequest(), Fault("alloc"), WaitFor(absl::Seconds(60)));
  EXPECT_EQ(outcome.failure, DecoderFailure::kMemory)
      << outcome.result.status();
  EXPECT_EQ(outcome.result.status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(outcome.result.status().message(),
              HasSubstr("sandbox.memory_bytes"));
  EXPECT_FALSE(process->alive());
}

TEST(DecoderProcessTest, ABinaryThatCannotServeIsFailedPrecondition) {
  DecoderProcess::Options options;
  options.path = "/nonexistent/clearmatch-decoder";
  absl::StatusOr<std::unique_ptr<DecoderProcess>> process =
      DecoderProcess::Start(options);
  EXPECT_EQ(process.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(process.status().message(), HasSubstr(options.path));

  options.path = "/bin/true";  // exits without a word
  process = DecoderProcess::Start(options);
  EXPECT_EQ(process.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(process.status().message(),
              HasSubstr("ended before it was ready"));
}

// In a child process whose own seccomp filter refuses seccomp() and
// prctl(PR_SET_SECCOMP) (inherited across exec), the decoder cannot
// install its filter: it must refuse to serve, saying so.
TEST(DecoderProcessTest, TheDecoderRefusesToServeWithoutItsSeccompFilter) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(seccomp), 0);
    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(prctl), 1,
                     SCMP_A0(SCMP_CMP_EQ, PR_SET_SECCOMP));
    if (seccomp_load(ctx) != 0) _exit(2);
    DecoderProcess::Options options;
    options.path = testing::RealDecoder();
    absl::StatusOr<std::unique_ptr<DecoderProcess>> process =
        DecoderProcess::Start(options);
    const bool refused =
        absl::IsFailedPrecondition(process.status()) &&
        process.status().message().find("seccomp") != absl::string_view::npos;
    _exit(refused ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "1: the decoder served (or said nothing of seccomp); 2: the test's "
         "own filter could not be installed";
}

}  // namespace
}  // namespace clearmatch::sandbox
