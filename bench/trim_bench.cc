// trim_bench: what border trimming costs an image Check. Fingerprints
// (MediaFingerprinter::Fingerprint: sniff, decode, digests, PDQ with its
// dihedral variants, as the daemon does for every image Check) per second,
// single-threaded, with trimming off and on in the same run, rounds
// interleaved; on the reference photos as they are (no border: the border
// scan alone) and on copies inside a frame or with letterbox bars (made here
// with ffmpeg in a temporary directory: the scan and a second PDQ). Then
// the same streams as image Checks through a clearmatchd started here
// (build/daemon/clearmatchd, default config: decoders in sandboxed
// processes, 2 workers; a bank of 10,000 random PDQ hashes), two calls in
// flight, with the request's trim option off and on, rounds interleaved:
// what trimming costs the Check throughput the daemon serves.
//
//   build/bench/trim_bench [--seconds 2] [--rounds 5] [--testdata DIR]
//
// --seconds per setting and stream, split over the rounds. The in-process
// figures are per second of the thread's CPU time, the daemon's per second
// of wall time.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "clearmatch/v1/matcher.grpc.pb.h"
#include "fingerprint/media_fingerprinter.h"
#include "testing/daemon_process.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using Clock = std::chrono::steady_clock;
using Media = std::vector<std::vector<uint8_t>>;

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(1);
  }
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::unique_ptr<MediaFingerprinter> Fingerprinter(bool trim) {
  MediaFingerprinter::Options options;
  options.dihedral = true;
  options.trim = trim;
  auto fingerprinter = MediaFingerprinter::Create(options);
  if (!fingerprinter.ok()) std::exit(1);
  return *std::move(fingerprinter);
}

// CPU time of the calling thread: unlike the wall clock it does not count
// what the machine's other load (or the hypervisor) takes from the thread.
double ThreadCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + now.tv_nsec * 1e-9;
}

// Fingerprints `media` round-robin for `seconds` of this thread's CPU
// time; images per CPU second, and how many had a border trimmed (per pass
// over `media`).
double Throughput(MediaFingerprinter& fingerprinter, const Media& media,
                  double seconds, int* trimmed) {
  const double start = ThreadCpuSeconds();
  long done = 0;
  *trimmed = 0;
  for (;;) {
    for (const std::vector<uint8_t>& bytes : media) {
      absl::StatusOr<MediaFingerprint> fp = fingerprinter.Fingerprint(bytes);
      if (!fp.ok()) std::exit(1);
      if (done < static_cast<long>(media.size()) && fp->trimmed_pdq) {
        ++*trimmed;
      }
      ++done;
    }
    const double elapsed = ThreadCpuSeconds() - start;
    if (elapsed >= seconds) return done / elapsed;
  }
}

void Compare(const char* label, const Media& media, double seconds,
             int rounds) {
  std::unique_ptr<MediaFingerprinter> off = Fingerprinter(false);
  std::unique_ptr<MediaFingerprinter> on = Fingerprinter(true);
  // Interleaved rounds; the best of each (least disturbed).
  double best_off = 0, best_on = 0;
  int trimmed_off = 0, trimmed_on = 0;
  for (int round = 0; round < rounds; ++round) {
    best_off = std::max(
        best_off, Throughput(*off, media, seconds / rounds, &trimmed_off));
    best_on = std::max(best_on,
                       Throughput(*on, media, seconds / rounds, &trimmed_on));
  }
  std::printf("| %s | %zu | %d | %.1f | %.1f | %+.1f%% |\n", label,
              media.size(), trimmed_on, best_off, best_on,
              100.0 * (best_on - best_off) / best_off);
}

// Image Checks per second through `stub` for `seconds`, `in_flight` client
// threads each sending `media` round-robin with the request's trim option.
// Exits on a failed call.
double CheckThroughput(v1::Matcher::Stub& stub, const Media& media,
                       v1::CheckOptions::Trim trim, double seconds,
                       int in_flight) {
  const Clock::time_point end =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(seconds));
  std::atomic<long> done{0};
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < in_flight; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; Clock::now() < end; ++i) {
        const std::vector<uint8_t>& bytes = media[i % media.size()];
        v1::CheckRequest request;
        request.set_context(v1::UPLOAD);
        request.set_media(std::string(bytes.begin(), bytes.end()));
        request.mutable_options()->set_trim(trim);
        request.mutable_options()->set_omit_hashes(true);
        v1::CheckResponse response;
        grpc::ClientContext context;
        const grpc::Status status = stub.Check(&context, request, &response);
        if (!status.ok()) {
          std::fprintf(stderr, "Check failed: %s\n",
                       status.error_message().c_str());
          std::exit(1);
        }
        ++done;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return done / std::chrono::duration<double>(Clock::now() - start).count();
}

void CompareChecks(v1::Matcher::Stub& stub, const char* label,
                   const Media& media, double seconds, int rounds) {
  constexpr int kInFlight = 2;
  CheckThroughput(stub, media, v1::CheckOptions::TRIM_ON, 0.3, kInFlight);
  double best_off = 0, best_on = 0;
  for (int round = 0; round < rounds; ++round) {
    best_off = std::max(best_off,
                        CheckThroughput(stub, media, v1::CheckOptions::TRIM_OFF,
                                        seconds / rounds, kInFlight));
    best_on = std::max(best_on,
                       CheckThroughput(stub, media, v1::CheckOptions::TRIM_ON,
                                       seconds / rounds, kInFlight));
  }
  std::printf("| %s | %zu | %.1f | %.1f | %+.1f%% |\n", label, media.size(),
              best_off, best_on, 100.0 * (best_on - best_off) / best_off);
}

// A bank of `count` random PDQ hashes (none of the streams' images match:
// every Check looks up all its hashes and records nothing).
std::string RandomBank(const testing::TempDir& dir, int count) {
  std::mt19937_64 rng(7);
  std::string csv;
  for (int i = 0; i < count; ++i) {
    char hex[65];
    for (int k = 0; k < 64; k += 16) {
      std::snprintf(hex + k, 17, "%016llx",
                    static_cast<unsigned long long>(rng()));
    }
    csv +=
        "pdq," + std::string(hex, 64) + ",e" + std::to_string(i) + ",bench,\n";
  }
  return dir.Write("bank.csv", csv);
}

// The daemon section: both streams as Checks, trim off and on.
int CompareDaemonChecks(const testing::TempDir& dir, const Media& plain,
                        const Media& bordered, double seconds, int rounds) {
  testing::DaemonProcess daemon({"--bank-csv", RandomBank(dir, 10000),
                                 "--data-dir", dir.path() + "/data"});
  if (!daemon.started()) {
    std::fprintf(stderr, "cannot start clearmatchd: %s\n",
                 daemon.error().c_str());
    return 1;
  }
  auto stub = v1::Matcher::NewStub(grpc::CreateChannel(
      daemon.address(), grpc::InsecureChannelCredentials()));
  std::printf(
      "\nImage Checks per second through clearmatchd (sandboxed decoders, 2 "
      "workers, 10,000-entry bank), 2 in flight, best of %d interleaved "
      "rounds, %.1f s per setting\n\n",
      rounds, seconds);
  std::printf("| images | count | trim off /s | trim on /s | change |\n");
  std::printf("|---|---|---|---|---|\n");
  CompareChecks(*stub, "testdata photos (no border)", plain, seconds, rounds);
  CompareChecks(*stub, "the same, framed or letterboxed", bordered, seconds,
                rounds);
  return 0;
}

}  // namespace
}  // namespace clearmatch

int main(int argc, char** argv) {
  using namespace clearmatch;
  double seconds = 2;
  int rounds = 5;
  std::string testdata = testing::TestdataPath("");
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") seconds = std::max(0.3, std::atof(argv[i + 1]));
    if (flag == "--rounds") rounds = std::max(1, std::atoi(argv[i + 1]));
    if (flag == "--testdata") testdata = argv[i + 1];
  }
  const char* kFiles[] = {"bridge-1-original.jpg", "exif-rotn-1.jpg",
                          "q2821.jpg", "q0746.jpg", "small.jpg"};
  testing::TempDir dir("trim-bench");
  Media plain, bordered;
  for (const char* name : kFiles) {
    const std::string path = testdata + "/pdq/" + name;
    plain.push_back(ReadFile(path));
    const char* const kEdits[] = {
        "'pad=trunc(iw*0.6)*2:trunc(ih*0.6)*2:trunc(iw*0.05)*2:"
        "trunc(ih*0.05)*2:color=white'",
        "'pad=iw:trunc(ih*0.67)*2:0:trunc(ih*0.17)*2:color=black'"};
    for (const char* edit : kEdits) {
      const std::string out =
          dir.path() + "/" + std::to_string(bordered.size()) + ".jpg";
      const std::string command =
          "ffmpeg -v error -y -i " + path + " -vf " + edit + " -q:v 4 " + out;
      if (std::system(command.c_str()) != 0) {
        std::fprintf(stderr, "ffmpeg failed: %s\n", command.c_str());
        return 1;
      }
      bordered.push_back(ReadFile(out));
    }
  }
  std::printf(
      "Image fingerprints per second (decode, digests, PDQ + dihedral), one "
      "thread, per CPU second, best of %d interleaved rounds, %.1f s per "
      "setting\n\n",
      rounds, seconds);
  std::printf(
      "| images | count | trimmed | trim off /s | trim on /s | change |\n");
  std::printf("|---|---|---|---|---|---|\n");
  Compare("testdata photos (no border)", plain, seconds, rounds);
  Compare("the same, framed or letterboxed", bordered, seconds, rounds);
  return CompareDaemonChecks(dir, plain, bordered, seconds, rounds);
}
