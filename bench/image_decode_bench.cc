// Image decode benchmark: milliseconds per image, single-threaded, for
//  - checks: sniff, header, structure walk to EOI/IEND and polyglot scan
//    (everything DecodeImage does before OpenCV);
//  - full: DecodeImage at full size (the baseline);
//  - reduced: DecodeImage with min_decoded_side 512 (JPEG DCT scaling).
// "checks %" is the checks' share of the full decode.
//
//   build/bench/image_decode_bench [--testdata DIR] [--repeat N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_timing.h"
#include "decoders/image_decoder.h"
#include "decoders/image_extent.h"
#include "decoders/image_header.h"
#include "decoders/media_sniffer.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using bench::Clock;
using bench::Median;
using bench::MillisSince;

template <typename Fn>
double MedianMillis(int repeat, Fn fn) {
  std::vector<double> times;
  for (int i = 0; i < repeat; ++i) {
    const Clock::time_point start = Clock::now();
    fn();
    times.push_back(MillisSince(start));
  }
  return Median(std::move(times));
}

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "failed: %s\n", what.c_str());
    std::exit(1);
  }
}

void Checks(const std::vector<uint8_t>& bytes) {
  const MediaFormat format = SniffMediaFormat(bytes);
  Check(ReadImageHeader(bytes).ok(), "header");
  auto end = decoders_internal::FindImageEnd(format, bytes);
  Check(end.ok(), "structure");
  Check(decoders_internal::CheckNoEmbeddedVideo(format, bytes, *end).ok(),
        "polyglot");
}

int Main(int argc, char** argv) {
  std::string testdata = testing::TestdataPath("");
  int repeat = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--testdata") == 0) testdata = argv[i + 1];
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::atoi(argv[i + 1]);
  }
  std::printf("%-22s %10s %10s %10s %10s %8s\n", "file", "bytes", "checks",
              "full", "reduced", "checks%");
  for (const char* name : {"exif-rotn-1.jpg", "original.jpg", "q0003.jpg",
                           "L.png", "RGBA.png", "F.webp"}) {
    const std::string path = testdata + "/pdq/" + name;
    std::ifstream in(path, std::ios::binary);
    Check(in.good(), "read " + path);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    const double checks = MedianMillis(repeat, [&] { Checks(bytes); });
    const double full = MedianMillis(repeat, [&] {
      Check(DecodeImage(bytes, {}, 0).ok(), std::string("decode ") + name);
    });
    const double reduced = MedianMillis(repeat, [&] {
      Check(DecodeImage(bytes, {}, 512).ok(), std::string("decode ") + name);
    });
    std::printf("%-22s %10zu %10.3f %10.2f %10.2f %7.2f%%\n", name,
                bytes.size(), checks, full, reduced, 100.0 * checks / full);
  }
  return 0;
}

}  // namespace
}  // namespace clearmatch

int main(int argc, char** argv) { return clearmatch::Main(argc, argv); }
