// clearmatchd: the matching daemon. With no arguments it listens on
// 127.0.0.1:50051, keeps its state in ./var/clearmatch and serves the signed
// demo feed shipped in examples/ (docs/DAEMON.md).
//
//   clearmatchd [--config FILE] [--listen ADDR] [--data-dir DIR]
//               [--feed URL --feed-pubkey PEM]... [--bank-csv FILE]...
//               [--metrics-listen ADDR|off] [--web-listen ADDR]
//               [--web-local-reviewer NAME]
//   clearmatchd --version
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "config/daemon_config.h"
#include "daemon/daemon_server.h"
#include "decoders/video_module.h"

namespace {

constexpr char kUsage[] =
    "usage: clearmatchd [--config FILE] [--listen HOST:PORT] [--data-dir DIR]\n"
    "                   [--feed URL --feed-pubkey PEM_FILE]...\n"
    "                   [--bank-csv FILE]... [--metrics-listen HOST:PORT|off]\n"
    "                   [--web-listen HOST:PORT] [--web-local-reviewer NAME]\n"
    "       clearmatchd --version\n"
    "With no arguments: 127.0.0.1:50051, ./var/clearmatch, the demo feed of\n"
    "examples/ (docs/DAEMON.md).\n";

int g_signal_pipe[2] = {-1, -1};

void OnSignal(int) {
  const char byte = 1;
  [[maybe_unused]] ssize_t n = write(g_signal_pipe[1], &byte, 1);
}

// Media and victims' hashes must not end up in a core file.
void DisableCoreDumps() {
  rlimit none{0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

struct Flags {
  std::string config;
  std::string listen, data_dir, metrics_listen;
  std::string web_listen, web_local_reviewer;
  std::vector<clearmatch::v1::FeedConfig> feeds;
  std::vector<std::string> bank_csvs;
};

// 0 on success, else the exit code (2: usage).
int ParseFlags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return -1;
    }
    if (arg == "--version") {
      std::cout << "clearmatchd " << CLEARMATCH_VERSION << "\n";
      return -1;
    }
    if (i + 1 >= argc) {
      std::cerr << "clearmatchd: " << arg << " needs a value\n" << kUsage;
      return 2;
    }
    const std::string value = argv[++i];
    if (arg == "--config") {
      flags->config = value;
    } else if (arg == "--listen") {
      flags->listen = value;
    } else if (arg == "--data-dir") {
      flags->data_dir = value;
    } else if (arg == "--metrics-listen") {
      flags->metrics_listen = value;
    } else if (arg == "--web-listen") {
      flags->web_listen = value;
    } else if (arg == "--web-local-reviewer") {
      flags->web_local_reviewer = value;
    } else if (arg == "--feed") {
      flags->feeds.emplace_back().set_url(value);
    } else if (arg == "--feed-pubkey") {
      if (flags->feeds.empty() ||
          !flags->feeds.back().public_key_file().empty()) {
        std::cerr << "clearmatchd: --feed-pubkey must follow its --feed\n";
        return 2;
      }
      flags->feeds.back().set_public_key_file(value);
    } else if (arg == "--bank-csv") {
      flags->bank_csvs.push_back(value);
    } else {
      std::cerr << "clearmatchd: unknown flag " << arg << "\n" << kUsage;
      return 2;
    }
  }
  for (const auto& feed : flags->feeds) {
    if (feed.public_key_file().empty()) {
      std::cerr << "clearmatchd: --feed " << feed.url()
                << " needs --feed-pubkey\n";
      return 2;
    }
  }
  return 0;
}

// The embedded default: the demo feed shipped in the source tree.
void AddDemoFeed(clearmatch::v1::DaemonConfig& config) {
  const std::string examples = CLEARMATCH_EXAMPLES_DIR;
  if (std::filesystem::exists(examples + "/demo-feed/manifest.pb")) {
    clearmatch::v1::FeedConfig* demo = config.add_feeds();
    demo->set_url(examples + "/demo-feed");
    demo->set_public_key_file(examples + "/demo-feed.pub.pem");
    clearmatch::LogInfo(
        absl::StrCat("no sources given: serving the demo feed of ", examples));
  } else {
    clearmatch::LogWarning("no sources given and no demo feed found");
  }
}

// The config file (if any) with the flags applied over it, and the
// embedded default (the demo feed) when nothing names a source.
absl::StatusOr<clearmatch::v1::DaemonConfig> ConfigFromFlags(Flags& flags) {
  clearmatch::v1::DaemonConfig config;
  if (!flags.config.empty()) {
    auto loaded = clearmatch::LoadDaemonConfigFile(flags.config);
    if (!loaded.ok()) return loaded.status();
    config = *std::move(loaded);
  }
  if (!flags.listen.empty()) config.set_listen(flags.listen);
  if (!flags.data_dir.empty()) config.set_data_dir(flags.data_dir);
  if (!flags.metrics_listen.empty()) {
    config.set_metrics_listen(flags.metrics_listen);
  }
  if (!flags.web_listen.empty()) config.set_web_listen(flags.web_listen);
  if (!flags.web_local_reviewer.empty()) {
    config.set_web_local_reviewer(flags.web_local_reviewer);
  }
  if (!flags.feeds.empty()) {
    config.clear_feeds();
    for (auto& feed : flags.feeds) *config.add_feeds() = std::move(feed);
  }
  for (const std::string& csv : flags.bank_csvs) {
    config.add_bank_csvs()->set_path(csv);
  }
  if (flags.config.empty() && config.feeds_size() == 0 &&
      config.bank_csvs_size() == 0) {
    AddDemoFeed(config);
  }
  return config;
}

// SIGINT/SIGTERM write a byte to a pipe that a thread waits on (a
// handler, not sigwait: libraries start threads before main that would
// otherwise take the signal with its default action).
bool InstallSignalHandlers() {
  if (pipe2(g_signal_pipe, O_CLOEXEC) != 0) return false;
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return true;
}

// Starts the daemon and serves until a signal; the exit code.
int Serve(const clearmatch::v1::DaemonConfig& config) {
  auto server = clearmatch::DaemonServer::Start(config);
  if (!server.ok()) {
    std::cerr << "clearmatchd: " << server.status().ToString() << "\n";
    return 1;
  }
  // One machine-readable line for scripts and tests.
  std::printf(
      "clearmatchd listening grpc_port=%d metrics_port=%d unix_socket=%s "
      "web_port=%d\n",
      (*server)->grpc_port(), (*server)->metrics_port(),
      (*server)->unix_socket().c_str(), (*server)->web_port());
  std::fflush(stdout);

  std::thread signal_thread([&server] {
    char byte = 0;
    while (read(g_signal_pipe[0], &byte, 1) < 0 && errno == EINTR) {
    }
    (*server)->Shutdown();
  });
  (*server)->Wait();
  // Wake the signal thread if Wait ended without a signal.
  OnSignal(0);
  signal_thread.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  DisableCoreDumps();
  Flags flags;
  if (const int code = ParseFlags(argc, argv, &flags); code != 0) {
    return code < 0 ? 0 : code;
  }
  absl::StatusOr<clearmatch::v1::DaemonConfig> config = ConfigFromFlags(flags);
  if (!config.ok()) {
    std::cerr << "clearmatchd: " << config.status().message() << "\n";
    return 2;
  }
  clearmatch::ApplyDaemonConfigDefaults(&*config);
  if (absl::Status valid = clearmatch::ValidateDaemonConfig(*config);
      !valid.ok()) {
    std::cerr << "clearmatchd: config: " << valid.message() << "\n";
    return 2;
  }
  // Videos are decoded by a module loaded on first use; load it now so that
  // a broken installation stops the daemon at start, not on its first video.
  if (auto video = clearmatch::VideoModule::Get(); !video.ok()) {
    std::cerr << "clearmatchd: " << video.status().message() << "\n";
    return 1;
  }
  if (!InstallSignalHandlers()) return 1;
  return Serve(*config);
}
