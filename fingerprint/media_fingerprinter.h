// MediaFingerprinter: from the bytes of an upload to every hash clearmatch
// matches on. Sniffs the format by magic bytes, decodes within limits, and
// computes MD5/SHA-1/SHA-256 of the file plus PDQ (images; optionally all 8
// dihedral variants) or vPDQ (videos). Media stays in memory.
//
//   MediaFingerprinter fingerprinter(options);
//   absl::StatusOr<MediaFingerprint> fp = fingerprinter.Fingerprint(bytes);
//
// Thread-compatible: one instance per thread (it owns a PdqHasher).
#ifndef CLEARMATCH_FINGERPRINT_MEDIA_FINGERPRINTER_H_
#define CLEARMATCH_FINGERPRINT_MEDIA_FINGERPRINTER_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "decoders/decode_limits.h"
#include "decoders/media_sniffer.h"
#include "hashing/file_digests.h"
#include "hashing/pdq_hasher.h"

namespace clearmatch {

struct MediaFingerprint {
  MediaFormat format = MediaFormat::kUnknown;
  FileDigests digests;
  // Images: width and height stored in the file (before any reduced decode).
  int width = 0;
  int height = 0;
  // Images only: PDQ of the image (hashes[0]) and, when requested, the other
  // seven dihedral variants (otherwise those stay all-zero).
  std::optional<PdqDihedralResult> pdq;
};

class MediaFingerprinter {
 public:
  struct Options {
    ImageDecodeLimits image_limits;
    // Compute the 7 rotated/flipped variants too (8 lookups per image).
    bool dihedral = false;
  };

  explicit MediaFingerprinter(Options options);

  // INVALID_ARGUMENT for formats outside the allow-list or malformed media,
  // RESOURCE_EXHAUSTED for media over a limit.
  absl::StatusOr<MediaFingerprint> Fingerprint(absl::Span<const uint8_t> bytes);

 private:
  Options options_;
  PdqHasher hasher_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_FINGERPRINT_MEDIA_FINGERPRINTER_H_
