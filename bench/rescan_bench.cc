// rescan_bench: `clearmatch rescan` of a listing of real JPEGs
// (tests/testdata/pdq) against daemons on loopback, each with one decode
// worker: one daemon (the baseline), then two daemons sharing the listing
// (--addr A,B), in the same run; and one daemon with two workers, the same
// CPU in one process. Prints items/s of each and the speed-up over the
// baseline.
//
//   rescan_bench [--items 600] [--concurrency 4]
//
// Daemons and the client share the machine's cores: on a 2-core machine
// two one-worker daemons can at best double one.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/command.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace {

using clearmatch::testing::DaemonProcess;
using clearmatch::testing::TempDir;

struct Options {
  int items = 600;
  int concurrency = 4;
};

Options ParseArgs(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--items") options.items = std::atoi(argv[i + 1]);
    if (flag == "--concurrency") options.concurrency = std::atoi(argv[i + 1]);
  }
  return options;
}

// A listing of `items` ids cycling over the JPEGs of tests/testdata/pdq.
std::string WriteListing(TempDir& dir, const std::string& name, int items) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(
           clearmatch::testing::TestdataPath("pdq"))) {
    if (entry.path().extension() == ".jpg") files.push_back(entry.path());
  }
  std::string listing;
  for (int i = 0; i < items; ++i) {
    absl::StrAppend(&listing, "item-", i, ",", files[i % files.size()], "\n");
  }
  return dir.Write(name, listing);
}

std::vector<std::unique_ptr<DaemonProcess>> StartDaemons(TempDir& dir,
                                                         int count,
                                                         int workers) {
  const std::string config =
      dir.Write(absl::StrCat("w", workers, ".textproto"),
                absl::StrCat("limits { workers: ", workers, " }\n"));
  std::vector<std::unique_ptr<DaemonProcess>> daemons;
  static int next = 0;
  for (int i = 0; i < count; ++i) {
    daemons.push_back(std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", config, "--data-dir",
                                 absl::StrCat(dir.path(), "/data", next++)}));
    if (!daemons.back()->started()) {
      std::fprintf(stderr, "daemon: %s\n", daemons.back()->error().c_str());
      std::exit(1);
    }
  }
  return daemons;
}

// Items per second of one rescan of `listing` over `daemons`.
double RescanRate(const std::vector<std::unique_ptr<DaemonProcess>>& daemons,
                  const std::string& listing, const Options& options) {
  std::vector<std::string> addresses;
  for (const auto& daemon : daemons) addresses.push_back(daemon->address());
  std::ostringstream out, err;
  const auto start = std::chrono::steady_clock::now();
  const int code = clearmatch::cli::RunRescanCommand(
      {"--listing", listing, "--addr", absl::StrJoin(addresses, ","),
       "--concurrency", absl::StrCat(options.concurrency)},
      out, err);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (code != 0) {
    std::fprintf(stderr, "rescan failed: %s\n", err.str().c_str());
    std::exit(1);
  }
  return options.items / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseArgs(argc, argv);
  TempDir dir;
  const std::string listing = WriteListing(dir, "listing.csv", options.items);
  const std::string warm_up = WriteListing(dir, "warm-up.csv", 20);
  std::printf(
      "rescan of %d JPEGs (tests/testdata/pdq), --concurrency %d per "
      "daemon\n",
      options.items, options.concurrency);
  struct Setup {
    const char* name;
    int daemons;
    int workers;
  };
  const Setup setups[] = {{"1 daemon x 1 worker (baseline)", 1, 1},
                          {"2 daemons x 1 worker", 2, 1},
                          {"1 daemon x 2 workers", 1, 2}};
  double baseline = 0;
  for (const Setup& setup : setups) {
    auto daemons = StartDaemons(dir, setup.daemons, setup.workers);
    RescanRate(daemons, warm_up, {.items = 20, .concurrency = 2});
    const double rate = RescanRate(daemons, listing, options);
    if (baseline == 0) baseline = rate;
    std::printf("  %-32s %8.1f items/s  x%.2f\n", setup.name, rate,
                rate / baseline);
  }
  return 0;
}
