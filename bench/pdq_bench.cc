// PDQ image benchmark: milliseconds per image for decode and hash,
// single-threaded, on the reference photos, compared in the same run with
//  - the reference method: full-size decode, nearest-neighbour 512x512, PDQ;
//  - the naive method: full-size decode and a full-size blur (no sampling).
//
//   build/bench/pdq_bench [--testdata DIR] [--repeat N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bench/bench_timing.h"
#include "decoders/image_decoder.h"
#include "decoders/image_header.h"
#include "hashing/pdq_hasher.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using bench::Clock;
using bench::Median;
using bench::MillisSince;

struct Timing {
  double decode_ms = 0;
  double hash_ms = 0;
  PdqHash hash;
};

// Median over `repeat` runs of decoding at `min_decoded_side` (0 = full size)
// and hashing with `options`.
Timing Measure(const std::vector<uint8_t>& bytes, int min_decoded_side,
               PdqHasher::Options options, int repeat) {
  PdqHasher hasher(options);
  std::vector<double> decode, hash;
  Timing timing;
  for (int i = 0; i < repeat; ++i) {
    Clock::time_point start = Clock::now();
    auto image = DecodeImage(bytes, ImageDecodeLimits{}, min_decoded_side);
    decode.push_back(MillisSince(start));
    if (!image.ok()) {
      std::fprintf(stderr, "decode failed: %s\n",
                   std::string(image.status().message()).c_str());
      std::exit(1);
    }
    start = Clock::now();
    timing.hash = hasher.Hash(image->view()).hash;
    hash.push_back(MillisSince(start));
  }
  timing.decode_ms = Median(decode);
  timing.hash_ms = Median(hash);
  return timing;
}

}  // namespace
}  // namespace clearmatch

int main(int argc, char** argv) {
  using namespace clearmatch;
  std::string testdata = testing::TestdataPath("");
  int repeat = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--testdata") testdata = argv[i + 1];
    if (flag == "--repeat") repeat = std::max(1, std::atoi(argv[i + 1]));
  }
  const char* kFiles[] = {"exif-rotn-1.jpg", "aaa-orig.jpg", "q0003.jpg",
                          "q0122.jpg",       "q0746.jpg",    "q2821.jpg"};
  const PdqHasher::Options reference_sampling{};  // 512x512 NN, as reference
  PdqHasher::Options full_size;
  full_size.sample_large_to_512 = false;

  std::printf("PDQ per image, single thread, median of %d runs (ms)\n", repeat);
  std::printf("%-16s %10s | %8s %8s %8s | %8s %8s | %8s %8s | %s\n", "file",
              "pixels", "decode", "hash", "total", "ref dec", "ref tot",
              "naive", "speedup", "bits vs ref");
  for (const char* name : kFiles) {
    const std::string path = testdata + "/pdq/" + name;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", path.c_str());
      return 1;
    }
    const std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
    const Timing ours =
        Measure(bytes, PdqHasher::kMaxHashedSide, reference_sampling, repeat);
    const Timing reference = Measure(bytes, 0, reference_sampling, repeat);
    const Timing naive = Measure(bytes, 0, full_size, std::max(3, repeat / 3));
    auto header = ReadImageHeader(bytes);
    const long pixels = header.ok() ? long(header->width) * header->height : 0;
    const double total = ours.decode_ms + ours.hash_ms;
    std::printf(
        "%-16s %10ld | %8.2f %8.2f %8.2f | %8.2f %8.2f | %8.2f %7.1fx | %d\n",
        name, pixels, ours.decode_ms, ours.hash_ms, total, reference.decode_ms,
        reference.decode_ms + reference.hash_ms,
        naive.decode_ms + naive.hash_ms,
        (reference.decode_ms + reference.hash_ms) / total,
        ours.hash.DistanceTo(reference.hash));
  }
  std::printf(
      "decode/hash/total: clearmatch (reduced JPEG decode, NN 512, PDQ)\n"
      "ref dec/ref tot:   reference method (full decode, NN 512, PDQ)\n"
      "naive:             full decode + full-size blur and PDQ\n"
      "speedup:           ref tot / total\n");
  return 0;
}
