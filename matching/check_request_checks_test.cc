// ValidateCheckRequest: one test per class of bad request, and the good ones.
#include "matching/check_request_checks.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kLimit = 1 << 20;

v1::CheckRequest HashRequest() {
  v1::CheckRequest request;
  request.set_context(v1::UPLOAD);
  request.mutable_hashes()->set_md5(std::string(32, 'a'));
  return request;
}

void ExpectInvalid(const v1::CheckRequest& request, uint64_t limit,
                   const std::string& text) {
  const absl::Status status = ValidateCheckRequest(request, limit);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr(text));
}

TEST(CheckRequestChecksTest, AcceptsHashesOrMedia) {
  EXPECT_TRUE(ValidateCheckRequest(HashRequest(), kLimit).ok());
  v1::CheckRequest media;
  media.set_context(v1::RESCAN);
  media.set_media("\xff\xd8\xff");
  media.set_content_id(std::string(kMaxCheckContentIdBytes, 'c'));
  EXPECT_TRUE(ValidateCheckRequest(media, kLimit).ok());
}

TEST(CheckRequestChecksTest, RefusesAnUnknownContext) {
  v1::CheckRequest request = HashRequest();
  request.set_context(v1::CONTEXT_UNSPECIFIED);
  ExpectInvalid(request, kLimit, "context: 0 is not a known context");
}

TEST(CheckRequestChecksTest, RefusesALongContentId) {
  v1::CheckRequest request = HashRequest();
  request.set_content_id(std::string(kMaxCheckContentIdBytes + 1, 'c'));
  ExpectInvalid(request, kLimit, "content_id: 257 bytes; at most 256");
}

TEST(CheckRequestChecksTest, RefusesBothPayloadsOrNone) {
  v1::CheckRequest both = HashRequest();
  both.set_media("x");
  ExpectInvalid(both, kLimit, "both media and hashes are set");
  v1::CheckRequest none;
  none.set_context(v1::UPLOAD);
  ExpectInvalid(none, kLimit, "no payload");
}

TEST(CheckRequestChecksTest, RefusesARequestOverTheLimit) {
  v1::CheckRequest request;
  request.set_context(v1::UPLOAD);
  request.set_media(std::string(100, 'm'));
  ExpectInvalid(request, 50, "over the limit of 50");
}

TEST(CheckRequestChecksTest, RefusesMalformedHashes) {
  v1::CheckRequest request = HashRequest();
  request.mutable_hashes()->set_md5("not hex");
  ExpectInvalid(request, kLimit, "md5");
}

}  // namespace
}  // namespace clearmatch
