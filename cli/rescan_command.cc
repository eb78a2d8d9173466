// `clearmatch rescan`: a listing through CheckStream, resumable.
#include <cstdlib>
#include <deque>
#include <fstream>
#include <memory>
#include <optional>
#include <unordered_set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/daemon_channel.h"
#include "cli/matcher_client.h"
#include "cli/rescan_stream.h"

namespace clearmatch::cli {
namespace {

std::string Usage() {
  return absl::StrCat(
      "usage: clearmatch rescan --listing FILE [--concurrency N] "
      "[--resume STATE] [--out FILE]\n"
      "                         ",
      kDaemonChannelUsage, "\n");
}

struct RescanOptions {
  DaemonChannelFlags daemon;
  std::string listing;
  std::string resume;
  std::string out_path;
  int concurrency = 4;
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

// The listing, minus the ids in `done`. False (with a message) on a
// malformed line or a duplicate id.
bool ReadListing(const std::string& path,
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
    if (!done.contains(item.content_id)) items->push_back(std::move(item));
  }
  return true;
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

}  // namespace

int RunRescanCommand(const std::vector<std::string>& args, std::ostream& out,
                     std::ostream& err) {
  const std::optional<RescanOptions> options = ParseRescanArgs(args, err);
  if (!options.has_value()) return kExitUsage;
  absl::StatusOr<std::unique_ptr<v1::Matcher::Stub>> stub =
      ConnectMatcher(options->daemon);
  if (!stub.ok()) {
    err << "clearmatch rescan: " << stub.status().message() << "\n";
    return kExitUsage;
  }
  const std::unordered_set<std::string> done = ReadResumeState(options->resume);
  std::deque<RescanItem> items;
  if (!ReadListing(options->listing, done, &items, err)) return kExitUsage;
  const size_t total = items.size();
  std::ofstream state_out, file_out;
  if (!options->resume.empty()) state_out.open(options->resume, std::ios::app);
  if (!options->out_path.empty()) {
    file_out.open(options->out_path, std::ios::app);
  }

  RescanStream rescan(**stub,
                      {.concurrency = options->concurrency,
                       .verdicts = options->out_path.empty() ? &out : &file_out,
                       .state = state_out.is_open() ? &state_out : nullptr,
                       .progress = &err});
  const grpc::Status status = rescan.Run(std::move(items));
  err << "rescan: " << rescan.finished() << "/" << total << " done, "
      << rescan.failed() << " failed";
  if (!done.empty()) err << " (" << done.size() << " skipped from state)";
  err << "\n";
  if (!status.ok()) {
    err << "clearmatch rescan: stream ended: "
        << DaemonCallError(options->daemon, status) << "\n";
    return kExitInputFailed;
  }
  const bool all_ok = rescan.failed() == 0 && rescan.finished() >= total;
  return all_ok ? kExitOk : kExitInputFailed;
}

}  // namespace clearmatch::cli
