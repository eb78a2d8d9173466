// The shared queue of a rescan's items and its outputs.
#include "cli/rescan_work.h"

#include <grpcpp/support/status.h>

#include <utility>

#include "cli/json_writer.h"
#include "cli/verdict_output.h"

namespace clearmatch::cli {

RescanWork::RescanWork(std::deque<RescanItem> items, const Sinks& sinks)
    : sinks_(sinks),
      total_(items.size()),
      pending_(std::move(items)),
      last_progress_(std::chrono::steady_clock::now()) {}

int RescanWork::AddStream() {
  std::lock_guard<std::mutex> lock(mu_);
  streams_.emplace_back();
  return static_cast<int>(streams_.size()) - 1;
}

std::optional<RescanItem> RescanWork::Take(int id, int window) {
  std::unique_lock<std::mutex> lock(mu_);
  Stream& stream = streams_[id];
  changed_.wait(lock, [&] {
    return stream.closed || finished_ == total_ ||
           (!pending_.empty() &&
            static_cast<int>(stream.in_flight.size()) < window);
  });
  if (stream.closed || pending_.empty()) return std::nullopt;
  RescanItem item = std::move(pending_.front());
  pending_.pop_front();
  ++item.attempts;
  stream.in_flight[item.content_id] = item;
  return item;
}

void RescanWork::Answer(int id, const v1::CheckResponse& response) {
  std::lock_guard<std::mutex> lock(mu_);
  Stream& stream = streams_[id];
  auto it = stream.in_flight.find(response.content_id());
  if (it == stream.in_flight.end()) return;
  RescanItem item = std::move(it->second);
  stream.in_flight.erase(it);
  const bool overloaded =
      response.has_error() &&
      response.error().code() ==
          static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED);
  if (overloaded && item.attempts < kMaxAttempts) {
    pending_.push_back(std::move(item));  // send again later
    changed_.notify_all();
    return;
  }
  FinishLocked(item, CheckResponseJson(response, item.path),
               response.has_error(), /*record=*/true);
}

void RescanWork::FailUnreadable(int id, const RescanItem& item) {
  std::lock_guard<std::mutex> lock(mu_);
  streams_[id].in_flight.erase(item.content_id);
  JsonObjectWriter json;
  json.Add("file", item.path)
      .Add("content_id", item.content_id)
      .Add("error", "cannot read the file");
  // Not recorded as done: a --resume run tries the file again.
  FinishLocked(item, json.Finish(), /*failed=*/true, /*record=*/false);
}

void RescanWork::CloseStream(int id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stream& stream = streams_[id];
  stream.closed = true;
  for (auto& [content_id, item] : stream.in_flight) {
    pending_.push_back(std::move(item));
  }
  stream.in_flight.clear();
  changed_.notify_all();
}

size_t RescanWork::finished() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finished_;
}

size_t RescanWork::failed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_;
}

void RescanWork::FinishLocked(const RescanItem& item,
                              const std::string& json_line, bool failed,
                              bool record) {
  if (failed) ++failed_;
  ++finished_;
  *sinks_.verdicts << json_line << "\n" << std::flush;
  if (record && sinks_.state != nullptr) {
    *sinks_.state << item.content_id << "\n" << std::flush;
  }
  ReportProgressLocked();
  changed_.notify_all();
}

void RescanWork::ReportProgressLocked() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_progress_ < std::chrono::seconds(2)) return;
  last_progress_ = now;
  *sinks_.progress << "rescan: " << finished_ << "/" << total_ << " done, "
                   << failed_ << " failed\n";
}

}  // namespace clearmatch::cli
