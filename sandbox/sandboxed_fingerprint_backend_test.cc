#include "sandbox/sandboxed_fingerprint_backend.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/sandbox_test_util.h"
#include "testing/testdata.h"

namespace clearmatch::sandbox {
namespace {

using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::TestdataPath;
using testing::Fault;
using ::testing::HasSubstr;

std::unique_ptr<SandboxedFingerprintBackend> MakeBackend(
    const std::string& path, absl::Duration image_cpu = absl::Seconds(5)) {
  SandboxedFingerprintBackend::Options options;
  options.pool.process.path = path;
  options.pool.size = 1;
  options.image_cpu = image_cpu;
  absl::StatusOr<std::unique_ptr<SandboxedFingerprintBackend>> backend =
      SandboxedFingerprintBackend::Create(options);
  EXPECT_TRUE(backend.ok()) << backend.status();
  return backend.ok() ? *std::move(backend) : nullptr;
}

FingerprintBackend::Request RequestOf(const std::vector<uint8_t>& media) {
  FingerprintBackend::Request request;
  request.media = media;
  request.deadline = absl::Now() + absl::Seconds(60);
  return request;
}

TEST(SandboxedFingerprintBackendTest, AnswersAsTheInProcessBackend) {
  std::unique_ptr<SandboxedFingerprintBackend> sandboxed =
      MakeBackend(testing::RealDecoder());
  ASSERT_NE(sandboxed, nullptr);
  InProcessFingerprintBackend in_process;
  for (const char* name : {"pdq/bridge-2-rotate-90.jpg", "pdq/P.png",
                           "pdq/I.webp", "vpdq/test-padded-dimensions.mp4"}) {
    const std::vector<uint8_t> bytes = ReadFileBytes(TestdataPath(name));
    FingerprintBackend::Request request = RequestOf(bytes);
    request.options.dihedral = true;
    absl::StatusOr<MediaFingerprint> got = sandboxed->Fingerprint(request);
    absl::StatusOr<MediaFingerprint> want = in_process.Fingerprint(request);
    ASSERT_TRUE(got.ok()) << name << ": " << got.status();
    ASSERT_TRUE(want.ok()) << name << ": " << want.status();
    EXPECT_EQ(got->format, want->format) << name;
    EXPECT_EQ(got->digests.md5, want->digests.md5) << name;
    EXPECT_EQ(got->width, want->width) << name;
    ASSERT_EQ(got->pdq.has_value(), want->pdq.has_value()) << name;
    if (want->pdq) {
      EXPECT_EQ(got->pdq->hashes, want->pdq->hashes) << name;
    }
    ASSERT_EQ(got->vpdq.has_value(), want->vpdq.has_value()) << name;
    if (want->vpdq) {
      EXPECT_EQ(got->vpdq->features, want->vpdq->features);
    }
  }
}

TEST(SandboxedFingerprintBackendTest, MediaOverTheSizeLimitNeverLeaves) {
  std::unique_ptr<SandboxedFingerprintBackend> backend =
      MakeBackend(testing::RealDecoder());
  ASSERT_NE(backend, nullptr);
  const std::vector<uint8_t> bytes(2000, 'x');
  FingerprintBackend::Request request = RequestOf(bytes);
  request.options.image_limits.max_bytes = 1000;
  request.options.video.limits.max_bytes = 1000;
  EXPECT_EQ(backend->Fingerprint(request).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(SandboxedFingerprintBackendTest, AHangIsCutAtItsCpuBudget) {
  std::unique_ptr<SandboxedFingerprintBackend> backend =
      MakeBackend(testing::FaultsDecoder(), absl::Milliseconds(1000));
  ASSERT_NE(backend, nullptr);
  const std::vector<uint8_t> hang = Fault("hang");
  const absl::Time start = absl::Now();
  absl::Status status = backend->Fingerprint(RequestOf(hang)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
  EXPECT_THAT(status.message(),
              HasSubstr("1000 ms of CPU (sandbox.image_cpu_ms)"));
  // SIGXCPU after at most 2 s of CPU, or the daemon's timer at 1 + 2 s.
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(backend->pool().restarts(DecoderFailure::kCpu) +
                backend->pool().restarts(DecoderFailure::kTimeout),
            1);
}

TEST(SandboxedFingerprintBackendTest, TheDeadlineAndCancelEndTheDecode) {
  std::unique_ptr<SandboxedFingerprintBackend> backend =
      MakeBackend(testing::FaultsDecoder());
  ASSERT_NE(backend, nullptr);
  const std::vector<uint8_t> pause = Fault("pause");
  FingerprintBackend::Request request = RequestOf(pause);
  request.deadline = absl::Now() + absl::Milliseconds(300);
  const absl::Time start = absl::Now();
  EXPECT_EQ(backend->Fingerprint(request).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));

  request = RequestOf(pause);
  const absl::Time cancel_at = absl::Now() + absl::Milliseconds(200);
  request.cancelled = [cancel_at] { return absl::Now() >= cancel_at; };
  EXPECT_EQ(backend->Fingerprint(request).status().code(),
            absl::StatusCode::kCancelled);
  EXPECT_EQ(backend->pool().restarts(DecoderFailure::kDeadline), 1);
  EXPECT_EQ(backend->pool().restarts(DecoderFailure::kCancelled), 1);
}

TEST(SandboxedFingerprintBackendTest, ACrashIsInternalNamingTheSignal) {
  std::unique_ptr<SandboxedFingerprintBackend> backend =
      MakeBackend(testing::FaultsDecoder());
  ASSERT_NE(backend, nullptr);
  const std::vector<uint8_t> segv = Fault("segv");
  absl::Status status = backend->Fingerprint(RequestOf(segv)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(),
              HasSubstr("crashed (signal 11, SIGSEGV) decoding this media"));
  const std::vector<uint8_t> png = ReadFileBytes(TestdataPath("pdq/L.png"));
  EXPECT_TRUE(backend->Fingerprint(RequestOf(png)).ok());
}

}  // namespace
}  // namespace clearmatch::sandbox
