// RescanStream: the items of `clearmatch rescan` through one CheckStream
// (RESCAN context) of the Matcher service, at most `concurrency` in flight.
// An item the daemon refused as overloaded (RESOURCE_EXHAUSTED) is sent
// again, up to kMaxAttempts times. Each verdict goes to `verdicts` as a JSON
// line (CheckResponseJson), each finished content id to `state` when given,
// and a progress line to `progress` at most every 2 seconds.
//
//   RescanStream rescan(*stub, options);
//   const grpc::Status status = rescan.Run(std::move(items));
//   ... rescan.finished(), rescan.failed() ...
//
// Run sends from a second thread while it reads on the calling one; the
// counters are read after Run returns. Thread-compatible otherwise.
#ifndef CLEARMATCH_CLI_RESCAN_STREAM_H_
#define CLEARMATCH_CLI_RESCAN_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <unordered_map>

#include "clearmatch/v1/matcher.grpc.pb.h"

namespace clearmatch::cli {

// One line of a rescan listing.
struct RescanItem {
  std::string content_id;
  std::string path;
  int attempts = 0;
};

class RescanStream {
 public:
  static constexpr int kMaxAttempts = 5;

  struct Options {
    int concurrency = 4;
    std::ostream* verdicts = nullptr;  // required
    std::ostream* state = nullptr;     // optional: finished content ids
    std::ostream* progress = nullptr;  // required
  };

  RescanStream(v1::Matcher::Stub& stub, const Options& options);
  RescanStream(const RescanStream&) = delete;
  RescanStream& operator=(const RescanStream&) = delete;

  // Checks every item; returns when the stream ends, with its final status.
  grpc::Status Run(std::deque<RescanItem> items);

  // Items with a final verdict (or a file that could not be read), and how
  // many of those failed.
  size_t finished() const { return finished_; }
  size_t failed() const { return failed_; }

 private:
  using Stream = grpc::ClientReaderWriter<v1::CheckRequest, v1::CheckResponse>;

  // The sending thread: the next item when a slot is free, until all are
  // done or the stream broke.
  void SendItems(Stream& stream);
  // Waits for an item to send; false when there is none left to send.
  bool TakeNextItem(RescanItem* item);
  void FailUnreadable(const RescanItem& item);
  // The reading side: one response.
  void HandleResponse(const v1::CheckResponse& response);
  void StopSending();

  v1::Matcher::Stub& stub_;
  const Options options_;

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<RescanItem> queue_;
  std::unordered_map<std::string, RescanItem> in_flight_;
  size_t finished_ = 0;
  size_t failed_ = 0;
  size_t total_ = 0;
  bool stream_broken_ = false;
};

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_RESCAN_STREAM_H_
