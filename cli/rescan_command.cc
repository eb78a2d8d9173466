// `clearmatch rescan`: a listing through CheckStream, resumable.
#include "cli/rescan_command.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "cli/check_command.h"
#include "cli/command.h"
#include "cli/daemon_channel.h"
#include "cli/json_writer.h"

namespace clearmatch::cli {
namespace {

constexpr int kMaxAttempts = 5;

std::string Usage() {
  return absl::StrCat(
      "usage: clearmatch rescan --listing FILE [--concurrency N] "
      "[--resume STATE] [--out FILE]\n"
      "                         ",
      kDaemonChannelUsage, "\n");
}

struct Item {
  std::string content_id;
  std::string path;
  int attempts = 0;
};

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

// The listing, minus the ids in `done`. False (with a message) on a
// malformed line or a duplicate id.
bool ReadListing(const std::string& path,
                 const std::unordered_set<std::string>& done,
                 std::deque<Item>* items, std::ostream& err) {
  std::ifstream in(path);
  if (!in) {
    err << "clearmatch rescan: cannot open listing " << path << "\n";
    return false;
  }
  std::unordered_set<std::string> seen;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t comma = line.find(',');
    if (comma == std::string::npos || comma == 0 || comma + 1 == line.size()) {
      err << "clearmatch rescan: " << path << ":" << number
          << ": expected content_id,path\n";
      return false;
    }
    Item item{Trim(line.substr(0, comma)), Trim(line.substr(comma + 1)), 0};
    if (!seen.insert(item.content_id).second) {
      err << "clearmatch rescan: " << path << ":" << number
          << ": duplicate content id " << item.content_id << "\n";
      return false;
    }
    if (!done.contains(item.content_id)) items->push_back(std::move(item));
  }
  return true;
}

}  // namespace

int RunRescanCommand(const std::vector<std::string>& args, std::ostream& out,
                     std::ostream& err) {
  DaemonChannelFlags daemon;
  std::string listing, resume, out_path;
  int concurrency = 4;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::StatusOr<bool> consumed = ConsumeDaemonChannelFlag(args, &i, &daemon);
    if (!consumed.ok()) {
      err << "clearmatch rescan: " << consumed.status().message() << "\n"
          << Usage();
      return kExitUsage;
    }
    if (*consumed) continue;
    const std::string& arg = args[i];
    if (i + 1 >= args.size()) {
      err << "clearmatch rescan: " << arg << " needs a value\n" << Usage();
      return kExitUsage;
    }
    const std::string& value = args[++i];
    if (arg == "--listing") {
      listing = value;
    } else if (arg == "--resume") {
      resume = value;
    } else if (arg == "--out") {
      out_path = value;
    } else if (arg == "--concurrency") {
      concurrency = std::atoi(value.c_str());
      if (concurrency < 1 || concurrency > 1024) {
        err << "clearmatch rescan: --concurrency must be 1..1024\n";
        return kExitUsage;
      }
    } else {
      err << "clearmatch rescan: unknown option " << arg << "\n" << Usage();
      return kExitUsage;
    }
  }
  if (listing.empty()) {
    err << Usage();
    return kExitUsage;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      CreateDaemonChannel(daemon);
  if (!channel.ok()) {
    err << "clearmatch rescan: " << channel.status().message() << "\n";
    return kExitUsage;
  }
  std::unordered_set<std::string> done;
  if (!resume.empty()) {
    std::ifstream state(resume);
    std::string line;
    while (std::getline(state, line)) {
      if (!line.empty()) done.insert(line);
    }
  }
  std::deque<Item> queue;
  if (!ReadListing(listing, done, &queue, err)) return kExitUsage;
  const size_t total = queue.size();
  std::ofstream state_out;
  if (!resume.empty()) state_out.open(resume, std::ios::app);
  std::ofstream file_out;
  if (!out_path.empty()) file_out.open(out_path, std::ios::app);
  std::ostream& verdicts = out_path.empty() ? out : file_out;

  auto stub = v1::Matcher::NewStub(*channel);
  grpc::ClientContext context;
  auto stream = stub->CheckStream(&context);

  std::mutex mu;
  std::condition_variable changed;
  std::unordered_map<std::string, Item> in_flight;
  size_t finished = 0, failed = 0;
  bool stream_broken = false;

  std::thread writer([&] {
    for (;;) {
      Item item;
      {
        std::unique_lock<std::mutex> lock(mu);
        changed.wait(lock, [&] {
          return stream_broken ||
                 (!queue.empty() &&
                  static_cast<int>(in_flight.size()) < concurrency) ||
                 (queue.empty() && in_flight.empty());
        });
        if (stream_broken || queue.empty()) break;
        item = std::move(queue.front());
        queue.pop_front();
        ++item.attempts;
        in_flight[item.content_id] = item;
      }
      std::ifstream in(item.path, std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      if (!in) {
        std::lock_guard<std::mutex> lock(mu);
        in_flight.erase(item.content_id);
        ++failed;
        ++finished;
        JsonObjectWriter json;
        json.Add("file", item.path)
            .Add("content_id", item.content_id)
            .Add("error", "cannot read the file");
        verdicts << json.Finish() << "\n" << std::flush;
        changed.notify_all();
        continue;
      }
      v1::CheckRequest request;
      request.set_content_id(item.content_id);
      request.set_context(v1::RESCAN);
      request.set_media(buffer.str());
      if (!stream->Write(request)) {
        std::lock_guard<std::mutex> lock(mu);
        stream_broken = true;
        changed.notify_all();
        break;
      }
    }
    stream->WritesDone();
  });

  auto last_progress = std::chrono::steady_clock::now();
  v1::CheckResponse response;
  while (stream->Read(&response)) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = in_flight.find(response.content_id());
    if (it == in_flight.end()) continue;
    Item item = std::move(it->second);
    in_flight.erase(it);
    if (response.has_error() &&
        response.error().code() ==
            static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED) &&
        item.attempts < kMaxAttempts) {
      queue.push_back(std::move(item));  // overloaded: send again later
    } else {
      if (response.has_error()) ++failed;
      ++finished;
      verdicts << CheckResponseJson(response, item.path) << "\n";
      verdicts.flush();
      if (state_out.is_open())
        state_out << item.content_id << "\n" << std::flush;
    }
    changed.notify_all();
    const auto now = std::chrono::steady_clock::now();
    if (now - last_progress > std::chrono::seconds(2)) {
      last_progress = now;
      err << "rescan: " << finished << "/" << total << " done, " << failed
          << " failed\n";
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    stream_broken = true;
    changed.notify_all();
  }
  writer.join();
  const grpc::Status status = stream->Finish();
  err << "rescan: " << finished << "/" << total << " done, " << failed
      << " failed";
  if (done.size() > 0) err << " (" << done.size() << " skipped from state)";
  err << "\n";
  if (!status.ok()) {
    err << "clearmatch rescan: stream ended: "
        << DaemonCallError(daemon, status) << "\n";
    return kExitInputFailed;
  }
  return (failed > 0 || finished < total) ? kExitInputFailed : kExitOk;
}

}  // namespace clearmatch::cli
