// video_bench: vPDQ throughput over the sample videos (x real-time and ms per
// hashed frame), our fast paths against the reference method in the same
// run. Usage: video_bench [--rounds N] (the configured testdata's videos).
//
// Each configuration hashes all sample videos with 2 worker threads (one
// video per thread, decoder_threads = 1), best of N rounds that interleave
// the configurations (default 3). The variant rows are the default with the
// frames' dihedral and letterbox-trimmed hashes, which a Check computes when
// banks count them; the latency rows hash the videos one after another with
// decoder_threads = 2.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "decoders/video_frame_sampler.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using Conversion = VideoFrameSampler::FrameConversion;

struct Config {
  const char* name;
  VideoFrameSampler::Options options;
  int workers;
};

struct Figures {
  double wall_seconds = 1e9;
  double media_seconds = 0;
  int64_t hashed_frames = 0;
};

Figures RunOnce(const VideoFrameSampler& sampler,
                const std::vector<std::vector<uint8_t>>& videos, int workers) {
  std::atomic<size_t> next{0};
  std::vector<double> media(videos.size());
  std::vector<int64_t> hashed(videos.size());
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < videos.size();) {
        absl::StatusOr<VpdqVideoHash> v = sampler.Hash(videos[i]);
        if (!v.ok()) {
          std::fprintf(stderr, "hash failed: %s\n",
                       std::string(v.status().message()).c_str());
          std::abort();
        }
        media[i] = v->decoded_frames / v->fps;
        hashed[i] = static_cast<int64_t>(v->features.size());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  Figures f;
  f.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  for (size_t i = 0; i < videos.size(); ++i) {
    f.media_seconds += media[i];
    f.hashed_frames += hashed[i];
  }
  return f;
}

int Main(int rounds) {
  const char* names[] = {"chair-19-sd-bar",     "chair-22-with-large-logo-bar",
                         "doorknob-hd-no-bar",  "pattern-hd-no-bar",
                         "pattern-sd-grey-bar", "test-padded-dimensions"};
  std::vector<std::vector<uint8_t>> videos;
  for (const char* name : names) {
    std::vector<unsigned char> bytes = testing::ReadFileBytes(
        testing::TestdataPath(std::string("vpdq/") + name + ".mp4"));
    videos.emplace_back(bytes.begin(), bytes.end());
  }
  const VideoFrameSampler::Options reference{
      .skip_unsampled_frames = false, .conversion = Conversion::kRgb24Area};
  const std::vector<Config> configs = {
      {"reference: every frame, RGB24 area, 1/s", reference, 2},
      {"every frame, luma plane, 1/s",
       {.skip_unsampled_frames = false, .conversion = Conversion::kLumaPlane},
       2},
      {"default: skip unsampled, RGB24 area, 1/s", {}, 2},
      // What a Check hashes with banks counting variants (issue 14): the
      // cost of the variants against the row above, same run.
      {"default + dihedral variants", {.dihedral = true}, 2},
      {"default + letterbox trim", {.trim = true}, 2},
      {"default + dihedral + trim", {.dihedral = true, .trim = true}, 2},
      {"skip unsampled, luma plane, 1/s",
       {.conversion = Conversion::kLumaPlane},
       2},
      {"keyframes only", {.keyframes_only = true}, 2},
      {"latency reference, 2 decoder threads",
       {.decoder_threads = 2,
        .skip_unsampled_frames = false,
        .conversion = Conversion::kRgb24Area},
       1},
      {"latency default, 2 decoder threads", {.decoder_threads = 2}, 1},
      {"latency default, 1 decoder thread", {}, 1},
  };
  // Rounds interleave the configurations (each round runs every one once)
  // so that a change of the machine's load weighs on all rows alike; each
  // row is its best round.
  std::vector<std::unique_ptr<VideoFrameSampler>> samplers;
  for (const Config& config : configs) {
    auto sampler = VideoFrameSampler::Create(config.options);
    if (!sampler.ok()) return 1;
    samplers.push_back(*std::move(sampler));
  }
  std::vector<Figures> best(configs.size());
  for (int round = 0; round < rounds; ++round) {
    for (size_t c = 0; c < configs.size(); ++c) {
      Figures f = RunOnce(*samplers[c], videos, configs[c].workers);
      if (f.wall_seconds < best[c].wall_seconds) best[c] = f;
    }
  }
  std::printf("%-44s %9s %10s %8s %7s\n", "configuration", "wall s",
              "x realtime", "ms/hash", "hashes");
  for (size_t c = 0; c < configs.size(); ++c) {
    std::printf("%-44s %9.3f %10.1f %8.2f %7lld\n", configs[c].name,
                best[c].wall_seconds,
                best[c].media_seconds / best[c].wall_seconds,
                1000 * best[c].wall_seconds / best[c].hashed_frames,
                static_cast<long long>(best[c].hashed_frames));
  }
  return 0;
}

}  // namespace
}  // namespace clearmatch

int main(int argc, char** argv) {
  // video_bench [--rounds N]: N interleaved rounds (default 3).
  int rounds = 3;
  if (argc == 3 && std::string(argv[1]) == "--rounds") {
    rounds = std::max(1, std::atoi(argv[2]));
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: video_bench [--rounds N]\n");
    return 2;
  }
  return clearmatch::Main(rounds);
}
