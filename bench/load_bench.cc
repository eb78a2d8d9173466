// load_bench: an asynchronous gRPC load client against a real clearmatchd
// (started here on a loopback port with a bank of N random PDQ hashes).
// Prints, per concurrency, hash-only Check calls/s with p50/p99 latency;
// 1 MP JPEG Checks per second, decoded in sandboxed decoder processes (the
// default) and, from a second daemon with sandbox.enabled false, in the
// daemon's process, with the sandbox's cost; CheckStream throughput
// (hash-only and JPEG rescans). Baseline, in the same run: the same work
// in-process without gRPC (index search; decode + hash).
//
//   load_bench [--entries 1000000] [--seconds 5] [--daemon PATH]
//
// Daemon and client share the machine's cores.
#include <grpcpp/grpcpp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bank/hash_entry.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "fingerprint/media_fingerprinter.h"
#include "hashing/pdq_hash.h"
#include "index/index_builder.h"
#include "testing/temp_dir.h"

namespace {

using Clock = std::chrono::steady_clock;
using clearmatch::PdqHash;
namespace v1 = clearmatch::v1;

PdqHash RandomHash(std::mt19937_64& rng) {
  std::array<uint8_t, 32> bytes;
  for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  return PdqHash(bytes);
}

struct Daemon {
  pid_t pid = -1;
  int port = 0;
  ~Daemon() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
};

bool StartDaemon(const std::string& binary,
                 const std::vector<std::string>& args, Daemon* daemon) {
  int out[2];
  if (pipe(out) != 0) return false;
  std::vector<std::string> all = {binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : all) argv.push_back(s.data());
  argv.push_back(nullptr);
  daemon->pid = fork();
  if (daemon->pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char buffer[256];
  ssize_t n;
  while (line.find('\n') == std::string::npos &&
         (n = read(out[0], buffer, sizeof(buffer))) > 0) {
    line.append(buffer, n);
  }
  close(out[0]);
  int metrics = 0;
  return std::sscanf(line.c_str(),
                     "clearmatchd listening grpc_port=%d metrics_port=%d",
                     &daemon->port, &metrics) == 2;
}

struct Result {
  double calls_per_second = 0;
  double p50_ms = 0, p99_ms = 0;
  int64_t errors = 0;
};

Result Summarize(std::vector<double>& latencies, double seconds,
                 int64_t errors) {
  Result r;
  std::sort(latencies.begin(), latencies.end());
  r.calls_per_second = latencies.size() / seconds;
  if (!latencies.empty()) {
    r.p50_ms = latencies[latencies.size() / 2] * 1e3;
    r.p99_ms = latencies[latencies.size() * 99 / 100] * 1e3;
  }
  r.errors = errors;
  return r;
}

// `concurrency` calls always in flight (callback API) for `seconds`.
Result RunUnary(v1::Matcher::Stub& stub, int concurrency, double seconds,
                const std::function<v1::CheckRequest(int)>& make_request) {
  struct Slot {
    std::vector<double> latencies;
    int64_t errors = 0;
  };
  std::vector<Slot> slots(concurrency);
  std::mutex mu;
  std::condition_variable cv;
  int active = concurrency;
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  std::function<void(int, int)> issue = [&](int slot, int n) {
    struct Call {
      grpc::ClientContext context;
      v1::CheckRequest request;
      v1::CheckResponse response;
      Clock::time_point start;
    };
    auto* call = new Call;
    call->request = make_request(slot * 1000003 + n);
    call->start = Clock::now();
    stub.async()->Check(
        &call->context, &call->request, &call->response,
        [&, call, slot, n](grpc::Status status) {
          const auto now = Clock::now();
          Slot& s = slots[slot];
          if (status.ok()) {
            s.latencies.push_back(
                std::chrono::duration<double>(now - call->start).count());
          } else {
            ++s.errors;
          }
          delete call;
          if (now < end) {
            issue(slot, n + 1);
          } else {
            std::lock_guard<std::mutex> lock(mu);
            if (--active == 0) cv.notify_all();
          }
        });
  };
  const auto start = Clock::now();
  for (int i = 0; i < concurrency; ++i) issue(i, 0);
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return active == 0; });
  }
  const double elapsed =
      std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  int64_t errors = 0;
  for (Slot& s : slots) {
    all.insert(all.end(), s.latencies.begin(), s.latencies.end());
    errors += s.errors;
  }
  return Summarize(all, elapsed, errors);
}

// One CheckStream with `count` requests; items per second.
double RunStream(v1::Matcher::Stub& stub, int count,
                 const std::function<v1::CheckRequest(int)>& make_request,
                 int64_t* errors) {
  grpc::ClientContext context;
  auto stream = stub.CheckStream(&context);
  const auto start = Clock::now();
  std::thread writer([&] {
    for (int i = 0; i < count; ++i) {
      if (!stream->Write(make_request(i))) break;
    }
    stream->WritesDone();
  });
  v1::CheckResponse response;
  int received = 0;
  while (stream->Read(&response)) {
    ++received;
    if (response.has_error()) ++*errors;
  }
  writer.join();
  stream->Finish();
  return received / std::chrono::duration<double>(Clock::now() - start).count();
}

// 1 MP JPEG Checks at concurrency 1, 2 and 4 against the daemon of
// `sandboxed` and against a second daemon on the same bank with the sandbox
// off, in one table with the sandbox's cost. False if the second daemon
// cannot start.
bool RunJpegTable(v1::Matcher::Stub& sandboxed, const std::string& binary,
                  const std::vector<std::string>& daemon_args,
                  const std::string& dir, double seconds,
                  const std::function<v1::CheckRequest(int)>& jpeg_request) {
  {
    std::ofstream config(dir + "/in-process.textproto");
    config << "sandbox { enabled: false }\n";
  }
  std::vector<std::string> args = daemon_args;
  args.push_back("--config");
  args.push_back(dir + "/in-process.textproto");
  args[3] = dir + "/data-in-process";  // its own --data-dir
  Daemon in_process_daemon;
  if (!StartDaemon(binary, args, &in_process_daemon)) return false;
  auto in_process = v1::Matcher::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(in_process_daemon.port),
                          grpc::InsecureChannelCredentials()));
  RunUnary(sandboxed, 1, 1, jpeg_request);  // warm-up, both
  RunUnary(*in_process, 1, 1, jpeg_request);
  std::printf(
      "| concurrency | sandboxed calls/s | p50 ms | p99 ms | errors "
      "| in-process calls/s | p50 ms | p99 ms | errors | sandbox cost |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  for (int c : {1, 2, 4}) {
    const Result s = RunUnary(sandboxed, c, seconds, jpeg_request);
    const Result p = RunUnary(*in_process, c, seconds, jpeg_request);
    const double cost =
        p.calls_per_second > 0
            ? 100.0 * (1.0 - s.calls_per_second / p.calls_per_second)
            : 0.0;
    std::printf(
        "| %d | %.1f | %.2f | %.2f | %lld | %.1f | %.2f | %.2f | %lld "
        "| %.1f%% |\n",
        c, s.calls_per_second, s.p50_ms, s.p99_ms,
        static_cast<long long>(s.errors), p.calls_per_second, p.p50_ms,
        p.p99_ms, static_cast<long long>(p.errors), cost);
    std::fflush(stdout);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t entries = 1000000;
  double seconds = 5;
  std::string daemon_binary =
      (std::filesystem::path(argv[0]).parent_path() / "../daemon/clearmatchd")
          .string();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--entries") entries = std::atoll(argv[i + 1]);
    if (arg == "--seconds") seconds = std::atof(argv[i + 1]);
    if (arg == "--daemon") daemon_binary = argv[i + 1];
  }
  const clearmatch::testing::TempDir temp_dir("clearmatch-load-bench");
  const std::string& dir = temp_dir.path();

  // The bank: `entries` random PDQ hashes; queries hit 10% of the time.
  std::mt19937_64 rng(42);
  std::vector<PdqHash> bank;
  bank.reserve(entries);
  {
    std::ofstream csv(dir + "/bank.csv");
    for (int64_t i = 0; i < entries; ++i) {
      bank.push_back(RandomHash(rng));
      csv << "pdq," << bank.back().ToHex() << ",e" << i << ",bench,\n";
    }
  }
  std::vector<std::string> queries;
  for (int i = 0; i < 10000; ++i) {
    queries.push_back(i % 10 == 0 ? bank[rng() % bank.size()].ToHex()
                                  : RandomHash(rng).ToHex());
  }
  const std::string jpeg_path = dir + "/1mp.jpg";
  std::system(("ffmpeg -v error -y -f lavfi -i testsrc2=size=1152x864:rate=1 "
               "-frames:v 1 -q:v 3 " +
               jpeg_path)
                  .c_str());
  std::ifstream jpeg_in(jpeg_path, std::ios::binary);
  std::stringstream jpeg_buffer;
  jpeg_buffer << jpeg_in.rdbuf();
  const std::string jpeg = jpeg_buffer.str();

  const auto start_daemon = Clock::now();
  Daemon daemon;
  const std::vector<std::string> daemon_args = {
      "--bank-csv", dir + "/bank.csv", "--data-dir",       dir + "/data",
      "--listen",   "127.0.0.1:0",     "--metrics-listen", "off"};
  if (!StartDaemon(daemon_binary, daemon_args, &daemon)) {
    std::fprintf(stderr, "load_bench: cannot start %s\n",
                 daemon_binary.c_str());
    return 1;
  }
  std::printf(
      "daemon: %lld entries loaded and serving in %.1f s\n",
      static_cast<long long>(entries),
      std::chrono::duration<double>(Clock::now() - start_daemon).count());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(daemon.port),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::Matcher::NewStub(channel);

  auto hash_request = [&](int n) {
    v1::CheckRequest request;
    request.set_context(v1::UPLOAD);
    v1::PdqHashValue* pdq = request.mutable_hashes()->add_pdq();
    pdq->set_hash(queries[n % queries.size()]);
    pdq->set_quality(100);
    return request;
  };
  auto jpeg_request = [&](int) {
    v1::CheckRequest request;
    request.set_context(v1::RESCAN);
    request.set_media(jpeg);
    request.mutable_options()->set_omit_hashes(true);
    return request;
  };

  RunUnary(*stub, 8, 1, hash_request);  // warm-up
  std::printf("\nhash-only Check (%lld-entry index, %.0f s each)\n",
              static_cast<long long>(entries), seconds);
  std::printf("| concurrency | calls/s | p50 ms | p99 ms | errors |\n");
  std::printf("|---|---|---|---|---|\n");
  for (int c : {1, 2, 4, 8, 16, 32, 64}) {
    const Result r = RunUnary(*stub, c, seconds, hash_request);
    std::printf("| %d | %.0f | %.3f | %.3f | %lld |\n", c, r.calls_per_second,
                r.p50_ms, r.p99_ms, static_cast<long long>(r.errors));
    std::fflush(stdout);
  }
  std::printf("\n1 MP JPEG Check (%zu bytes, 1152x864)\n", jpeg.size());
  if (!RunJpegTable(*stub, daemon_binary, daemon_args, dir, seconds,
                    jpeg_request)) {
    std::fprintf(stderr, "load_bench: cannot start the in-process daemon\n");
    return 1;
  }
  int64_t stream_errors = 0;
  const double stream_hash =
      RunStream(*stub, 100000, hash_request, &stream_errors);
  const double stream_jpeg =
      RunStream(*stub, 1000, jpeg_request, &stream_errors);
  std::printf(
      "\nCheckStream (one stream): hash-only %.0f items/s, "
      "1 MP JPEG %.1f items/s, %lld errors\n",
      stream_hash, stream_jpeg, static_cast<long long>(stream_errors));

  // Baseline: the same work in this process, one thread, no gRPC.
  std::vector<clearmatch::HashEntry> index_entries;
  for (int64_t i = 0; i < entries; ++i) {
    clearmatch::HashEntry e;
    e.pdq = bank[i];
    e.entry_id = "e" + std::to_string(i);
    e.bank = "bench";
    index_entries.push_back(std::move(e));
  }
  clearmatch::IndexBuilder builder(clearmatch::IndexBuilder::Options{});
  auto snapshot = builder.Build(std::move(index_entries), 0);
  if (!snapshot.ok()) return 1;
  const int kSearches = 20000;
  auto t0 = Clock::now();
  for (int i = 0; i < kSearches; ++i) {
    auto h = PdqHash::FromHex(queries[i % queries.size()]);
    auto hits = (*snapshot)->SearchPdq({&*h, 1}, 31);
    if (!hits.ok()) return 1;
  }
  const double search_rate =
      kSearches / std::chrono::duration<double>(Clock::now() - t0).count();
  auto fingerprinter = clearmatch::MediaFingerprinter::Create({});
  if (!fingerprinter.ok()) return 1;
  const int kImages = 100;
  t0 = Clock::now();
  for (int i = 0; i < kImages; ++i) {
    auto fp =
        (*fingerprinter)
            ->Fingerprint(absl::MakeConstSpan(
                reinterpret_cast<const uint8_t*>(jpeg.data()), jpeg.size()));
    if (!fp.ok()) return 1;
  }
  const double image_rate =
      kImages / std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf(
      "\nbaseline, in-process, 1 thread, no gRPC: %.0f searches/s; "
      "%.1f JPEG decode+hash/s\n",
      search_rate, image_rate);
  return 0;
}
