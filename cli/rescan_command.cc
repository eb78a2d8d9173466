// `clearmatch rescan`: a listing (or one shard of it) through CheckStream
// to one daemon or spread over many, resumable.
#include <sys/stat.h>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/daemon_channel.h"
#include "cli/matcher_client.h"
#include "cli/rescan_shard.h"
#include "cli/rescan_stream.h"
#include "cli/rescan_targets.h"

namespace clearmatch::cli {
namespace {

std::string Usage() {
  return absl::StrCat(
      "usage: clearmatch rescan --listing FILE [--shard I/N] "
      "[--concurrency N] [--resume STATE|DIR] [--out FILE]\n"
      "                         ",
      kDaemonChannelUsage, "\n",
      "  --addr may list many daemons (HOST:PORT,HOST:PORT) or name them all\n"
      "  (dns:///NAME:PORT); each gets its own stream of N items at once.\n");
}

struct RescanOptions {
  DaemonChannelFlags daemon;
  std::string listing;
  std::string resume;
  std::string out_path;
  int concurrency = 4;
  RescanShard shard;
};

// Stores the value of the rescan flag `arg`; false (the error printed) for
// an unknown flag or a bad value.
bool SetOption(const std::string& arg, const std::string& value,
               RescanOptions* options, std::ostream& err) {
  if (arg == "--listing") {
    options->listing = value;
  } else if (arg == "--resume") {
    options->resume = value;
  } else if (arg == "--out") {
    options->out_path = value;
  } else if (arg == "--shard") {
    absl::StatusOr<RescanShard> shard = ParseRescanShard(value);
    if (!shard.ok()) {
      err << "clearmatch rescan: " << shard.status().message() << "\n";
      return false;
    }
    options->shard = *shard;
  } else if (arg == "--concurrency") {
    options->concurrency = std::atoi(value.c_str());
    if (options->concurrency < 1 || options->concurrency > 1024) {
      err << "clearmatch rescan: --concurrency must be 1..1024\n";
      return false;
    }
  } else {
    err << "clearmatch rescan: unknown option " << arg << "\n" << Usage();
    return false;
  }
  return true;
}

// The options of `args`, or nullopt with the usage error printed to `err`.
std::optional<RescanOptions> ParseRescanArgs(
    const std::vector<std::string>& args, std::ostream& err) {
  RescanOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::StatusOr<bool> consumed =
        ConsumeDaemonChannelFlag(args, &i, &options.daemon);
    if (!consumed.ok()) {
      err << "clearmatch rescan: " << consumed.status().message() << "\n"
          << Usage();
      return std::nullopt;
    }
    if (*consumed) continue;
    const std::string& arg = args[i];
    if (i + 1 >= args.size()) {
      err << "clearmatch rescan: " << arg << " needs a value\n" << Usage();
      return std::nullopt;
    }
    if (!SetOption(arg, args[++i], &options, err)) return std::nullopt;
  }
  if (options.listing.empty()) {
    err << Usage();
    return std::nullopt;
  }
  return options;
}

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

// The listing's items of `shard`, minus the ids in `done`. False (with a
// message) on a malformed line or a duplicate id (anywhere in the listing,
// so every shard refuses the same listing).
bool ReadListing(const std::string& path, const RescanShard& shard,
                 const std::unordered_set<std::string>& done,
                 std::deque<RescanItem>* items, std::ostream& err) {
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
    RescanItem item{Trim(line.substr(0, comma)), Trim(line.substr(comma + 1)),
                    0};
    if (!seen.insert(item.content_id).second) {
      err << "clearmatch rescan: " << path << ":" << number
          << ": duplicate content id " << item.content_id << "\n";
      return false;
    }
    absl::StatusOr<bool> mine = shard.Contains(item.content_id);
    if (!mine.ok()) {
      err << "clearmatch rescan: " << mine.status().message() << "\n";
      return false;
    }
    if (*mine && !done.contains(item.content_id)) {
      items->push_back(std::move(item));
    }
  }
  return true;
}

// The state file of --resume: the path itself, or in a directory one file
// per shard ("shard-I-of-N.state"), so the pods of an indexed Job can share
// one volume.
std::string ResumeStatePath(const RescanOptions& options) {
  struct stat info;
  if (options.resume.empty() || stat(options.resume.c_str(), &info) != 0 ||
      !S_ISDIR(info.st_mode)) {
    return options.resume;
  }
  return absl::StrCat(options.resume, "/shard-", options.shard.index, "-of-",
                      options.shard.count, ".state");
}

// The content ids an earlier run finished (none without --resume).
std::unordered_set<std::string> ReadResumeState(const std::string& path) {
  std::unordered_set<std::string> done;
  if (path.empty()) return done;
  std::ifstream state(path);
  std::string line;
  while (std::getline(state, line)) {
    if (!line.empty()) done.insert(line);
  }
  return done;
}

// A stub per daemon of --addr; nullopt with the error printed.
std::optional<std::vector<std::unique_ptr<v1::Matcher::Stub>>> ConnectAll(
    const DaemonChannelFlags& flags, std::ostream& err) {
  absl::StatusOr<std::vector<DaemonChannelFlags>> targets =
      ResolveRescanTargets(flags);
  if (!targets.ok()) {
    err << "clearmatch rescan: " << targets.status().message() << "\n";
    return std::nullopt;
  }
  std::vector<std::unique_ptr<v1::Matcher::Stub>> stubs;
  for (const DaemonChannelFlags& target : *targets) {
    absl::StatusOr<std::unique_ptr<v1::Matcher::Stub>> stub =
        ConnectMatcher(target);
    if (!stub.ok()) {
      err << "clearmatch rescan: " << stub.status().message() << "\n";
      return std::nullopt;
    }
    stubs.push_back(*std::move(stub));
  }
  return stubs;
}

// Runs one stream per daemon; the first failed stream's status (OK when
// none failed).
grpc::Status RunStreams(
    const std::vector<std::unique_ptr<v1::Matcher::Stub>>& stubs,
    RescanWork& work, int window) {
  std::vector<std::unique_ptr<RescanStream>> streams;
  for (const auto& stub : stubs) {
    streams.push_back(std::make_unique<RescanStream>(*stub, work, window));
  }
  std::vector<grpc::Status> statuses(streams.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < streams.size(); ++i) {
    threads.emplace_back([&, i] { statuses[i] = streams[i]->Run(); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const grpc::Status& status : statuses) {
    if (!status.ok()) return status;
  }
  return grpc::Status::OK;
}

}  // namespace

int RunRescanCommand(const std::vector<std::string>& args, std::ostream& out,
                     std::ostream& err) {
  const std::optional<RescanOptions> options = ParseRescanArgs(args, err);
  if (!options.has_value()) return kExitUsage;
  std::optional<std::vector<std::unique_ptr<v1::Matcher::Stub>>> stubs =
      ConnectAll(options->daemon, err);
  if (!stubs.has_value()) return kExitUsage;
  const std::string state_path = ResumeStatePath(*options);
  const std::unordered_set<std::string> done = ReadResumeState(state_path);
  std::deque<RescanItem> items;
  if (!ReadListing(options->listing, options->shard, done, &items, err)) {
    return kExitUsage;
  }
  const size_t total = items.size();
  std::ofstream state_out, file_out;
  if (!state_path.empty()) state_out.open(state_path, std::ios::app);
  if (!options->out_path.empty()) {
    file_out.open(options->out_path, std::ios::app);
  }
  RescanWork work(std::move(items),
                  {.verdicts = options->out_path.empty() ? &out : &file_out,
                   .state = state_out.is_open() ? &state_out : nullptr,
                   .progress = &err});
  const grpc::Status status = RunStreams(*stubs, work, options->concurrency);
  err << "rescan";
  if (options->shard.count > 1) err << " shard " << options->shard.ToString();
  err << ": " << work.finished() << "/" << total << " done, " << work.failed()
      << " failed";
  if (!done.empty()) err << " (" << done.size() << " skipped from state)";
  err << "\n";
  const bool all_ok = work.failed() == 0 && work.finished() >= total;
  if (!status.ok()) {
    const bool lost_items = work.finished() < total;
    err << (lost_items ? "clearmatch rescan: stream ended: "
                       : "clearmatch rescan: a daemon's stream ended (the "
                         "others took its items): ")
        << DaemonCallError(options->daemon, status) << "\n";
    if (lost_items) return kExitInputFailed;
  }
  return all_ok ? kExitOk : kExitInputFailed;
}

}  // namespace clearmatch::cli
