// RescanWork: the items of one `clearmatch rescan`, shared by the
// CheckStreams to every daemon it spreads them over (cli/rescan_stream.h).
// A stream takes the next pending item when it has a free slot in its
// window, so a faster daemon takes more; an item a daemon refused as
// overloaded (RESOURCE_EXHAUSTED) goes back to the queue, up to
// kMaxAttempts sends; the items in flight on a stream that ends (its daemon
// went away) go back to the queue for the others. Each final verdict goes
// to `verdicts` as a JSON line (CheckResponseJson), each content id with a
// verdict from a daemon to `state` when given (not those whose file could
// not be read: a resumed run tries them again), and a progress line to
// `progress` at most every 2 seconds.
//
//   RescanWork work(std::move(items), {.verdicts = &out, .progress = &err});
//   const int id = work.AddStream();
//   while (std::optional<RescanItem> item = work.Take(id, 4)) ... send ...
//   work.Answer(id, response);   // the reading side
//   work.CloseStream(id);        // the stream ended
//
// Thread-safe.
#ifndef CLEARMATCH_CLI_RESCAN_WORK_H_
#define CLEARMATCH_CLI_RESCAN_WORK_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "clearmatch/v1/matcher.pb.h"

namespace clearmatch::cli {

// One line of a rescan listing.
struct RescanItem {
  std::string content_id;
  std::string path;
  int attempts = 0;
};

class RescanWork {
 public:
  static constexpr int kMaxAttempts = 5;

  struct Sinks {
    std::ostream* verdicts = nullptr;  // required
    std::ostream* state = nullptr;     // optional: finished content ids
    std::ostream* progress = nullptr;  // required
  };

  RescanWork(std::deque<RescanItem> items, const Sinks& sinks);
  RescanWork(const RescanWork&) = delete;
  RescanWork& operator=(const RescanWork&) = delete;

  // A new stream's id.
  int AddStream();
  // Waits until stream `id` has fewer than `window` items in flight and an
  // item is pending; nullopt when there is nothing more for it: every item
  // is finished, or the stream is closed. The item counts as in flight on
  // that stream.
  std::optional<RescanItem> Take(int id, int window);
  // A response on stream `id` (ignored unless it answers one of its items
  // in flight).
  void Answer(int id, const v1::CheckResponse& response);
  // The item's file could not be read: a failed verdict.
  void FailUnreadable(int id, const RescanItem& item);
  // Stream `id` ended: its items in flight go back to the queue.
  void CloseStream(int id);

  size_t total() const { return total_; }
  size_t finished() const;
  size_t failed() const;

 private:
  struct Stream {
    std::unordered_map<std::string, RescanItem> in_flight;
    bool closed = false;
  };

  // Under mu_: one verdict written, counted, its id recorded in the state
  // when `record`, the others woken.
  void FinishLocked(const RescanItem& item, const std::string& json_line,
                    bool failed, bool record);
  void ReportProgressLocked();

  const Sinks sinks_;
  const size_t total_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<RescanItem> pending_;
  std::deque<Stream> streams_;  // deque: references stay valid
  size_t finished_ = 0;
  size_t failed_ = 0;
  std::chrono::steady_clock::time_point last_progress_;
};

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_RESCAN_WORK_H_
