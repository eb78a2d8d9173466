#include "fingerprint/media_fingerprinter.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "decoders/image_decoder.h"

namespace clearmatch {

MediaFingerprinter::MediaFingerprinter(Options options)
    : options_(options), hasher_(PdqHasher::Options{}) {}

absl::StatusOr<MediaFingerprint> MediaFingerprinter::Fingerprint(
    absl::Span<const uint8_t> bytes) {
  if (static_cast<int64_t>(bytes.size()) > options_.image_limits.max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("media is ", bytes.size(), " bytes, over the limit of ",
                     options_.image_limits.max_bytes));
  }
  MediaFingerprint fingerprint;
  fingerprint.format = SniffMediaFormat(bytes);
  if (!IsAllowedImage(fingerprint.format)) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(MediaFormatName(fingerprint.format)),
                     " is not an allowed media format"));
  }
  // JPEGs decode at a reduced size where that still leaves 512 pixels on the
  // longer side: the reference samples every large image to 512x512 anyway.
  CM_ASSIGN_OR_RETURN(
      DecodedImage image,
      DecodeImage(bytes, options_.image_limits, PdqHasher::kMaxHashedSide));
  fingerprint.width = image.source_width();
  fingerprint.height = image.source_height();
  if (options_.dihedral) {
    fingerprint.pdq = hasher_.HashDihedral(image.view());
  } else {
    const PdqResult result = hasher_.Hash(image.view());
    PdqDihedralResult pdq;
    pdq.hashes[0] = result.hash;
    pdq.quality = result.quality;
    fingerprint.pdq = pdq;
  }
  CM_ASSIGN_OR_RETURN(fingerprint.digests, ComputeFileDigests(bytes));
  return fingerprint;
}

}  // namespace clearmatch
