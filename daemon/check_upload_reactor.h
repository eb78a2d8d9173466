// CheckUploadReactor: one Matcher.CheckUpload call. Collects the header and
// the bytes (bounded by the declared size and max_upload_bytes), then runs
// the check on the worker pool. Holds one of max_concurrent_uploads slots
// from its start to its end.
//
// gRPC runs one reaction at a time; then the one pool task. Deletes itself
// in OnDone.
#ifndef CLEARMATCH_DAEMON_CHECK_UPLOAD_REACTOR_H_
#define CLEARMATCH_DAEMON_CHECK_UPLOAD_REACTOR_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "clearmatch/v1/matcher.pb.h"
#include "daemon/matcher_call_context.h"

namespace clearmatch {

class CheckUploadReactor final
    : public grpc::ServerReadReactor<v1::UploadChunk> {
 public:
  CheckUploadReactor(MatcherCallContext& matcher,
                     grpc::CallbackServerContext* context,
                     v1::CheckResponse* response);

  void OnReadDone(bool ok) override;
  void OnDone() override;

 private:
  absl::Status ReadHeader();
  absl::Status AddData();
  void EndOfUpload();
  void Done(const absl::Status& status);

  MatcherCallContext& matcher_;
  grpc::CallbackServerContext* const context_;
  v1::CheckResponse* const response_;
  const absl::Time start_;
  bool counted_ = false;
  // Only touched by the one read in flight, then by the one task.
  v1::UploadChunk chunk_;
  bool header_seen_ = false;
  uint64_t declared_size_ = 0;
  std::string media_;
  v1::CheckRequest request_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_CHECK_UPLOAD_REACTOR_H_
