// UploadCheck: the Check of a file's bytes as an upload, through a real
// daemon's Matcher stub, with a test's deadline (testing/grpc_deadline.h).
// A call that fails fails the test and gives an empty response.
//
//   const v1::CheckResponse r =
//       UploadCheck(*matcher_, "upload-17.jpg", ReadTextFile(path));
//   EXPECT_EQ(r.decision(), v1::BLOCK);
//
// Header-only: every test that uses it already links gRPC and the protos.
#ifndef CLEARMATCH_TESTING_UPLOAD_CHECK_H_
#define CLEARMATCH_TESTING_UPLOAD_CHECK_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "clearmatch/v1/matcher.grpc.pb.h"
#include "gtest/gtest.h"
#include "testing/grpc_deadline.h"

namespace clearmatch::testing {

struct UploadCheckOptions {
  v1::CheckOptions::Trim trim = v1::CheckOptions::TRIM_DEFAULT;
  int deadline_seconds = 60;
};

inline v1::CheckResponse UploadCheck(v1::Matcher::Stub& matcher,
                                     const std::string& content_id,
                                     std::string media,
                                     UploadCheckOptions options = {}) {
  v1::CheckRequest request;
  request.set_content_id(content_id);
  request.set_context(v1::UPLOAD);
  request.set_media(std::move(media));
  if (options.trim != v1::CheckOptions::TRIM_DEFAULT) {
    request.mutable_options()->set_trim(options.trim);
  }
  v1::CheckResponse response;
  grpc::ClientContext context;
  const grpc::Status status = matcher.Check(
      WithDeadline(&context, options.deadline_seconds), request, &response);
  EXPECT_TRUE(status.ok()) << content_id << ": " << status.error_message();
  return response;
}

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_UPLOAD_CHECK_H_
