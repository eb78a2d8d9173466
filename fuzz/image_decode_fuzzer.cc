// Fuzz target: untrusted still-image bytes through what Check does with
// them: sniffing, the header and structure checks, the codec library
// (libjpeg-turbo, libpng, libwebp, giflib), the digests and PDQ with its 8
// dihedral variants (MediaFingerprinter). Inputs sniffed as video are left to
// video_sample_fuzzer. The limits are smaller than the daemon's defaults so
// that each input decodes in milliseconds; the code paths are the same.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "decoders/media_sniffer.h"
#include "fingerprint/media_fingerprinter.h"
#include "fuzz/fuzz_input.h"

namespace clearmatch::fuzz {
namespace {

MediaFingerprinter& Fingerprinter() {
  static MediaFingerprinter* const fingerprinter = [] {
    MediaFingerprinter::Options options;
    options.image_limits.max_bytes = int64_t{4} << 20;
    options.image_limits.max_pixels = int64_t{4} << 20;
    options.image_limits.max_side = 4096;
    options.dihedral = true;
    return MediaFingerprinter::Create(options)->release();
  }();
  return *fingerprinter;
}

}  // namespace
}  // namespace clearmatch::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clearmatch;  // NOLINT(build/namespaces)
  const absl::Span<const uint8_t> bytes = fuzz::AsSpan(data, size);
  if (IsAllowedVideo(SniffMediaFormat(bytes))) return -1;  // not in corpus
  absl::StatusOr<MediaFingerprint> fingerprint =
      fuzz::Fingerprinter().Fingerprint(bytes);
  // An image that decodes has a PDQ hash; nothing else has.
  if (fingerprint.ok() && !fingerprint->pdq.has_value()) __builtin_trap();
  return 0;
}
