// Start-up benchmark: the whole-process time of the `clearmatch` commands a
// shell loop runs once per file, beside the in-process time of the same work.
//   - /bin/true: the machine's floor for fork + exec + wait;
//   - heavy_baseline: an empty program linked against what `clearmatch`
//     loaded before its commands were split into modules (OpenCV imgcodecs,
//     FFmpeg, gRPC, FAISS, libcurl): the baseline, measured in the same run;
//   - clearmatch --help, hash of one 256x256 JPEG, and a command that loads
//     the commands module (feed with no arguments: usage, after loading);
//   - in-process: MediaFingerprinter on the same JPEG, no process start.
// Medians of interleaved runs.
//
//   build/bench/startup_bench [--runs 60]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_timing.h"
#include "fingerprint/media_fingerprinter.h"
#include "testing/testdata.h"

extern char** environ;

namespace clearmatch {
namespace {

using bench::Clock;
using bench::Median;
using bench::MillisSince;

struct Program {
  const char* label;
  std::vector<std::string> argv;
  std::vector<double> millis;
};

// Runs argv once with stdout and stderr on /dev/null; wall milliseconds.
double RunOnce(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const Clock::time_point start = Clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) !=
      0) {
    std::fprintf(stderr, "startup_bench: cannot run %s\n", args[0]);
    std::exit(1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  const double millis = MillisSince(start);
  posix_spawn_file_actions_destroy(&actions);
  return millis;
}

double InProcessHashMillis(const std::string& jpeg, int runs) {
  const std::vector<unsigned char> bytes = testing::ReadFileBytes(jpeg);
  auto fingerprinter = MediaFingerprinter::Create({});
  std::vector<double> millis;
  for (int i = 0; i < runs; ++i) {
    const Clock::time_point start = Clock::now();
    auto fp = (*fingerprinter)->Fingerprint(bytes);
    millis.push_back(MillisSince(start));
    if (!fp.ok()) std::exit(1);
  }
  return Median(millis);
}

int Main(int argc, char** argv) {
  int runs = 60;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
  }
  const std::string cli = testing::BinaryPath("cli/clearmatch");
  const std::string jpeg = testing::TestdataPath("pdq/square-256x256.jpg");
  std::vector<Program> programs = {
      {"/bin/true (floor)", {"/bin/true"}, {}},
      {"heavy_baseline (old link set)",
       {testing::BinaryPath("bench/startup_heavy_baseline")},
       {}},
      {"clearmatch --help", {cli, "--help"}, {}},
      {"clearmatch hash 256x256.jpg", {cli, "hash", jpeg}, {}},
      {"clearmatch feed (loads module)", {cli, "feed"}, {}},
  };
  for (Program& p : programs) RunOnce(p.argv);  // warm the page cache
  for (int i = 0; i < runs; ++i) {
    for (Program& p : programs) p.millis.push_back(RunOnce(p.argv));
  }
  std::printf("%-34s %10s\n", "whole process (median of runs)", "ms");
  for (const Program& p : programs) {
    std::printf("%-34s %10.2f\n", p.label, Median(p.millis));
  }
  std::printf("%-34s %10.2f\n", "in-process hash of the same JPEG",
              InProcessHashMillis(jpeg, runs));
  return 0;
}

}  // namespace
}  // namespace clearmatch

int main(int argc, char** argv) { return clearmatch::Main(argc, argv); }
