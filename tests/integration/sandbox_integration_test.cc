// The decoder sandbox through a running clearmatchd whose decoder is the
// test-only clearmatch-decoder-faults: a crashing, a hanging and a
// forbidden-syscall decoder each cost exactly one request (the right code,
// in bounded time), the next Check succeeds, the restart metric counts
// each cause, and SIGTERM during a hanging decode exits promptly.
#include <grpcpp/grpcpp.h>
#include <sys/wait.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::BinaryPath;
using ::clearmatch::testing::DaemonProcess;
using ::clearmatch::testing::HttpGet;
using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::testing::HasSubstr;

std::string FaultsDecoder() {
  return BinaryPath("sandbox/clearmatch-decoder-faults");
}

v1::CheckRequest MediaCheck(const std::string& media) {
  v1::CheckRequest request;
  request.set_context(v1::UPLOAD);
  request.set_media(media);
  return request;
}

v1::CheckRequest FaultCheck(const std::string& command) {
  return MediaCheck(absl::StrCat("CLEARMATCH-TEST-FAULT:", command));
}

v1::CheckRequest JpegCheck() {
  const std::vector<unsigned char> bytes =
      ReadFileBytes(TestdataPath("pdq/bridge-1-original.jpg"));
  return MediaCheck(std::string(bytes.begin(), bytes.end()));
}

class SandboxIntegrationTest : public ::testing::Test {
 protected:
  void Start(const std::string& sandbox) {
    dir_.Write("bank.csv", "md5," + std::string(32, '0') + ",e1,b,\n");
    const std::string config = dir_.Write(
        "c.textproto", absl::StrCat("bank_csvs { path: \"bank.csv\" }\n"
                                    "limits { workers: 1 }\n",
                                    sandbox));
    daemon_ = std::make_unique<DaemonProcess>(std::vector<std::string>{
        "--config", config, "--data-dir", dir_.path() + "/d"});
    ASSERT_TRUE(daemon_->started()) << daemon_->error();
    stub_ = v1::Matcher::NewStub(grpc::CreateChannel(
        daemon_->address(), grpc::InsecureChannelCredentials()));
  }

  // The call's status and how long it took.
  grpc::Status Check(const v1::CheckRequest& request,
                     absl::Duration* took = nullptr,
                     absl::Duration deadline = absl::Seconds(60)) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoMilliseconds(deadline));
    v1::CheckResponse response;
    const absl::Time start = absl::Now();
    grpc::Status status = stub_->Check(&context, request, &response);
    if (took != nullptr) *took = absl::Now() - start;
    return status;
  }

  int64_t Restarts(const std::string& cause) {
    const std::string metrics = HttpGet(daemon_->metrics_port(), "/metrics");
    const std::string key = absl::StrCat(
        "clearmatch_decoder_restarts_total{cause=\"", cause, "\"} ");
    const size_t at = metrics.find(key);
    if (at == std::string::npos) return -1;
    return std::stoll(metrics.substr(at + key.size()));
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<v1::Matcher::Stub> stub_;
};

TEST_F(SandboxIntegrationTest, EachBadDecoderCostsOneRequest) {
  ASSERT_NO_FATAL_FAILURE(
      Start(absl::StrCat("sandbox { decoder_path: \"", FaultsDecoder(),
                         "\" image_cpu_ms: 1000 }\n")));
  ASSERT_TRUE(Check(JpegCheck()).ok());

  absl::Duration took;
  grpc::Status crash = Check(FaultCheck("segv"), &took);
  EXPECT_EQ(crash.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(crash.error_message(),
              HasSubstr("crashed (signal 11, SIGSEGV) decoding this media"));
  EXPECT_LT(took, absl::Seconds(10));
  EXPECT_TRUE(Check(JpegCheck()).ok());

  grpc::Status hang = Check(FaultCheck("hang"), &took);
  EXPECT_EQ(hang.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(hang.error_message(), HasSubstr("media over a limit"));
  EXPECT_THAT(hang.error_message(), HasSubstr("sandbox.image_cpu_ms"));
  EXPECT_LT(took, absl::Seconds(15));  // 1 s of CPU, 3 s of wall at most
  EXPECT_TRUE(Check(JpegCheck()).ok());

  grpc::Status forbidden = Check(FaultCheck("open"), &took);
  EXPECT_EQ(forbidden.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(forbidden.error_message(), HasSubstr("seccomp allow-list"));
  EXPECT_TRUE(Check(JpegCheck()).ok());

  grpc::Status late =
      Check(FaultCheck("pause"), &took, /*deadline=*/absl::Seconds(1));
  EXPECT_EQ(late.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(took, absl::Seconds(5));
  EXPECT_TRUE(Check(JpegCheck()).ok());

  EXPECT_EQ(Restarts("crash"), 1);
  EXPECT_EQ(Restarts("sandbox_violation"), 1);
  EXPECT_EQ(Restarts("cpu") + Restarts("timeout"), 1);
  // The daemon's side may see the deadline first, or the client's
  // cancellation that the deadline causes.
  EXPECT_EQ(Restarts("deadline") + Restarts("cancelled"), 1);
  EXPECT_THAT(HttpGet(daemon_->metrics_port(), "/metrics"),
              HasSubstr("clearmatch_decoder_processes 1"));
}

TEST_F(SandboxIntegrationTest, SigtermDuringAHangingDecodeExitsPromptly) {
  ASSERT_NO_FATAL_FAILURE(Start(
      absl::StrCat("sandbox { decoder_path: \"", FaultsDecoder(), "\" }\n")));
  grpc::Status held;
  std::thread client([&] { held = Check(FaultCheck("pause")); });
  absl::SleepFor(absl::Seconds(1));  // the decode is under way
  const absl::Time stop = absl::Now();
  const int status = daemon_->Stop();
  EXPECT_LT(absl::Now() - stop, absl::Seconds(4));  // not the 5 s grace
  client.join();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(held.error_code(), grpc::StatusCode::UNAVAILABLE)
      << held.error_message();
}

TEST_F(SandboxIntegrationTest, ADecoderThatCannotStartStopsTheDaemon) {
  dir_.Write("bank.csv", "md5," + std::string(32, '0') + ",e1,b,\n");
  const std::string config = dir_.Write(
      "c.textproto",
      "bank_csvs { path: \"bank.csv\" }\n"
      "sandbox { decoder_path: \"/nonexistent/clearmatch-decoder\" }\n");
  DaemonProcess daemon({"--config", config, "--data-dir", dir_.path() + "/d"});
  EXPECT_FALSE(daemon.started());
  const int status = daemon.WaitForExit();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << status;
  EXPECT_THAT(daemon.Stderr(), HasSubstr("/nonexistent/clearmatch-decoder"));
}

TEST_F(SandboxIntegrationTest, WithoutTheSandboxMediaIsDecodedInProcess) {
  ASSERT_NO_FATAL_FAILURE(Start("sandbox { enabled: false }\n"));
  EXPECT_TRUE(Check(JpegCheck()).ok());
  EXPECT_THAT(daemon_->Stderr(), HasSubstr("sandbox.enabled is false"));
  EXPECT_EQ(Restarts("crash"), -1);  // no decoder metrics
}

}  // namespace
}  // namespace clearmatch
