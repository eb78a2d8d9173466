#include "fingerprint/fingerprint_backend.h"

#include <vector>

#include "gtest/gtest.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::TestdataPath;

TEST(InProcessFingerprintBackendTest, GivesTheFingerprintersResult) {
  const std::vector<uint8_t> bytes =
      ReadFileBytes(TestdataPath("pdq/bridge-1-original.jpg"));
  InProcessFingerprintBackend backend;
  FingerprintBackend::Request request;
  request.media = bytes;
  absl::StatusOr<MediaFingerprint> got = backend.Fingerprint(request);
  ASSERT_TRUE(got.ok()) << got.status();

  auto fingerprinter = MediaFingerprinter::Create(request.options);
  ASSERT_TRUE(fingerprinter.ok());
  absl::StatusOr<MediaFingerprint> want = (*fingerprinter)->Fingerprint(bytes);
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_TRUE(got->pdq.has_value());
  EXPECT_EQ(got->pdq->hashes[0], want->pdq->hashes[0]);
  EXPECT_EQ(got->digests.sha256, want->digests.sha256);
  EXPECT_EQ(got->format, MediaFormat::kJpeg);
}

TEST(InProcessFingerprintBackendTest, RefusesWhenCancelledOrPastDeadline) {
  const std::vector<uint8_t> bytes =
      ReadFileBytes(TestdataPath("pdq/bridge-1-original.jpg"));
  InProcessFingerprintBackend backend;
  FingerprintBackend::Request request;
  request.media = bytes;
  request.cancelled = [] { return true; };
  EXPECT_EQ(backend.Fingerprint(request).status().code(),
            absl::StatusCode::kCancelled);
  request.cancelled = nullptr;
  request.deadline = absl::Now() - absl::Seconds(1);
  EXPECT_EQ(backend.Fingerprint(request).status().code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST(InProcessFingerprintBackendTest, MediaOverALimitIsResourceExhausted) {
  const std::vector<uint8_t> bytes =
      ReadFileBytes(TestdataPath("pdq/bridge-1-original.jpg"));
  InProcessFingerprintBackend backend;
  FingerprintBackend::Request request;
  request.media = bytes;
  request.options.image_limits.max_pixels = 100;
  EXPECT_EQ(backend.Fingerprint(request).status().code(),
            absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace clearmatch
