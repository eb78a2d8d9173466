// One CheckStream for a whole rescan, with a bounded window and retries.
#include "cli/rescan_stream.h"

#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include "cli/json_writer.h"
#include "cli/matcher_client.h"
#include "cli/verdict_output.h"

namespace clearmatch::cli {

RescanStream::RescanStream(v1::Matcher::Stub& stub, const Options& options)
    : stub_(stub), options_(options) {}

grpc::Status RescanStream::Run(std::deque<RescanItem> items) {
  queue_ = std::move(items);
  total_ = queue_.size();
  grpc::ClientContext context;
  std::unique_ptr<Stream> stream = stub_.CheckStream(&context);
  std::thread sender([&] { SendItems(*stream); });

  auto last_progress = std::chrono::steady_clock::now();
  v1::CheckResponse response;
  while (stream->Read(&response)) {
    HandleResponse(response);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_progress > std::chrono::seconds(2)) {
      last_progress = now;
      std::lock_guard<std::mutex> lock(mu_);
      *options_.progress << "rescan: " << finished_ << "/" << total_
                         << " done, " << failed_ << " failed\n";
    }
  }
  StopSending();
  sender.join();
  return stream->Finish();
}

void RescanStream::SendItems(Stream& stream) {
  RescanItem item;
  while (TakeNextItem(&item)) {
    std::optional<std::string> media = ReadMediaFile(item.path);
    if (!media.has_value()) {
      FailUnreadable(item);
      continue;
    }
    v1::CheckRequest request;
    request.set_content_id(item.content_id);
    request.set_context(v1::RESCAN);
    request.set_media(*std::move(media));
    if (!stream.Write(request)) {
      StopSending();
      break;
    }
  }
  stream.WritesDone();
}

bool RescanStream::TakeNextItem(RescanItem* item) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] {
    return stream_broken_ ||
           (!queue_.empty() &&
            static_cast<int>(in_flight_.size()) < options_.concurrency) ||
           (queue_.empty() && in_flight_.empty());
  });
  if (stream_broken_ || queue_.empty()) return false;
  *item = std::move(queue_.front());
  queue_.pop_front();
  ++item->attempts;
  in_flight_[item->content_id] = *item;
  return true;
}

void RescanStream::FailUnreadable(const RescanItem& item) {
  std::lock_guard<std::mutex> lock(mu_);
  in_flight_.erase(item.content_id);
  ++failed_;
  ++finished_;
  JsonObjectWriter json;
  json.Add("file", item.path)
      .Add("content_id", item.content_id)
      .Add("error", "cannot read the file");
  *options_.verdicts << json.Finish() << "\n" << std::flush;
  changed_.notify_all();
}

void RescanStream::HandleResponse(const v1::CheckResponse& response) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = in_flight_.find(response.content_id());
  if (it == in_flight_.end()) return;
  RescanItem item = std::move(it->second);
  in_flight_.erase(it);
  const bool overloaded =
      response.has_error() &&
      response.error().code() ==
          static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED);
  if (overloaded && item.attempts < kMaxAttempts) {
    queue_.push_back(std::move(item));  // send again later
  } else {
    if (response.has_error()) ++failed_;
    ++finished_;
    *options_.verdicts << CheckResponseJson(response, item.path) << "\n";
    options_.verdicts->flush();
    if (options_.state != nullptr) {
      *options_.state << item.content_id << "\n" << std::flush;
    }
  }
  changed_.notify_all();
}

void RescanStream::StopSending() {
  std::lock_guard<std::mutex> lock(mu_);
  stream_broken_ = true;
  changed_.notify_all();
}

}  // namespace clearmatch::cli
