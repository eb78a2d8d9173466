// RescanStream: one daemon's share of a `clearmatch rescan`: the items it
// takes from the shared RescanWork go through one CheckStream (RESCAN
// context) of its Matcher service, at most `window` in flight. When the
// stream ends, its unanswered items go back to the RescanWork for the
// other daemons.
//
//   RescanStream rescan(*stub, work, /*window=*/4);
//   const grpc::Status status = rescan.Run();
//
// Run sends from a second thread while it reads on the calling one.
#ifndef CLEARMATCH_CLI_RESCAN_STREAM_H_
#define CLEARMATCH_CLI_RESCAN_STREAM_H_

#include <grpcpp/grpcpp.h>

#include "clearmatch/v1/matcher.grpc.pb.h"
#include "cli/rescan_work.h"

namespace clearmatch::cli {

class RescanStream {
 public:
  RescanStream(v1::Matcher::Stub& stub, RescanWork& work, int window);
  RescanStream(const RescanStream&) = delete;
  RescanStream& operator=(const RescanStream&) = delete;

  // Checks items until none is left for this stream; returns the stream's
  // final status.
  grpc::Status Run();

 private:
  using Stream = grpc::ClientReaderWriter<v1::CheckRequest, v1::CheckResponse>;

  // The sending thread: the next item when a slot is free, until all are
  // done or the stream broke.
  void SendItems(Stream& stream);

  v1::Matcher::Stub& stub_;
  RescanWork& work_;
  const int window_;
  const int id_;
};

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_RESCAN_STREAM_H_
