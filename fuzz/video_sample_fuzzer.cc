// Fuzz target: untrusted video bytes (MP4/QuickTime, Matroska/WebM) through
// what Check does with them: MediaFingerprinter loads the video module
// (libclearmatch_video.so, FFmpeg) as clearmatchd and the CLI do, demuxes
// from memory, decodes, samples frames and hashes them (vPDQ). Inputs not
// sniffed as an allowed video are left to image_decode_fuzzer. Limits are
// smaller than the daemon's defaults (frame size, frame count, wall time) so
// that each input takes milliseconds; the code paths are the same.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "decoders/media_sniffer.h"
#include "fingerprint/media_fingerprinter.h"
#include "fuzz/fuzz_input.h"

namespace clearmatch::fuzz {
namespace {

MediaFingerprinter& Fingerprinter() {
  static MediaFingerprinter* const fingerprinter = [] {
    MediaFingerprinter::Options options;
    VideoDecodeLimits& limits = options.video.limits;
    limits.max_bytes = int64_t{4} << 20;
    limits.max_width = 1024;
    limits.max_height = 1024;
    limits.max_pixels = 1024 * 1024;
    limits.max_duration_seconds = 600;
    limits.max_decoded_frames = 600;
    limits.max_wall_time = absl::Seconds(10);
    options.video.seconds_per_hash = 1.0;
    return MediaFingerprinter::Create(options)->release();
  }();
  return *fingerprinter;
}

}  // namespace
}  // namespace clearmatch::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clearmatch;  // NOLINT(build/namespaces)
  const absl::Span<const uint8_t> bytes = fuzz::AsSpan(data, size);
  if (!IsAllowedVideo(SniffMediaFormat(bytes))) return -1;  // not in corpus
  absl::StatusOr<MediaFingerprint> fingerprint =
      fuzz::Fingerprinter().Fingerprint(bytes);
  if (absl::IsFailedPrecondition(fingerprint.status())) {
    __builtin_trap();  // the video module did not load: fix the build
  }
  if (fingerprint.ok() && !fingerprint->vpdq.has_value()) __builtin_trap();
  return 0;
}
