// trim_bench: what border trimming costs an image Check. Fingerprints
// (MediaFingerprinter::Fingerprint: sniff, decode, digests, PDQ with its
// dihedral variants, as the daemon does for every image Check) per second,
// single-threaded, with trimming off and on in the same run, rounds
// interleaved; on the reference photos as they are (no border: the border
// scan alone) and on copies inside a frame or with letterbox bars (made here
// with ffmpeg in a temporary directory: the scan and a second PDQ).
//
//   build/bench/trim_bench [--seconds 2] [--testdata DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "fingerprint/media_fingerprinter.h"
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

// Fingerprints `media` round-robin for `seconds`; images per second, and
// how many had a border trimmed (per pass over `media`).
double Throughput(MediaFingerprinter& fingerprinter, const Media& media,
                  double seconds, int* trimmed) {
  const Clock::time_point start = Clock::now();
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
    const double elapsed =
        std::chrono::duration<double>(Clock::now() - start).count();
    if (elapsed >= seconds) return done / elapsed;
  }
}

void Compare(const char* label, const Media& media, double seconds) {
  std::unique_ptr<MediaFingerprinter> off = Fingerprinter(false);
  std::unique_ptr<MediaFingerprinter> on = Fingerprinter(true);
  // Three interleaved rounds each; the best of each (least disturbed).
  double best_off = 0, best_on = 0;
  int trimmed_off = 0, trimmed_on = 0;
  for (int round = 0; round < 3; ++round) {
    best_off =
        std::max(best_off, Throughput(*off, media, seconds / 3, &trimmed_off));
    best_on =
        std::max(best_on, Throughput(*on, media, seconds / 3, &trimmed_on));
  }
  std::printf("| %s | %zu | %d | %.1f | %.1f | %+.1f%% |\n", label,
              media.size(), trimmed_on, best_off, best_on,
              100.0 * (best_on - best_off) / best_off);
}

}  // namespace
}  // namespace clearmatch

int main(int argc, char** argv) {
  using namespace clearmatch;
  double seconds = 2;
  std::string testdata = testing::TestdataPath("");
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") seconds = std::max(0.3, std::atof(argv[i + 1]));
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
      "thread, best of 3 interleaved rounds, %.1f s per setting\n\n",
      seconds);
  std::printf(
      "| images | count | trimmed | trim off /s | trim on /s | change |\n");
  std::printf("|---|---|---|---|---|---|\n");
  Compare("testdata photos (no border)", plain, seconds);
  Compare("the same, framed or letterboxed", bordered, seconds);
  return 0;
}
