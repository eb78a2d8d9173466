// MediaFingerprinter: from the bytes of an upload to every hash clearmatch
// matches on. Sniffs the format by magic bytes, decodes within limits, and
// computes MD5/SHA-1/SHA-256 of the file plus PDQ (images, and the first
// frame of a GIF; optionally all 8 dihedral variants, and optionally the PDQ
// of the image with its uniform borders trimmed) or vPDQ (videos). Media
// stays in memory.
//
//   absl::StatusOr<std::unique_ptr<MediaFingerprinter>> fingerprinter =
//       MediaFingerprinter::Create(options);
//   absl::StatusOr<MediaFingerprint> fp = (*fingerprinter)->Fingerprint(bytes);
//   if (fp->pdq) ... else if (fp->vpdq) ...
//
// Thread-compatible: one instance per thread (it owns a PdqHasher).
#ifndef CLEARMATCH_FINGERPRINT_MEDIA_FINGERPRINTER_H_
#define CLEARMATCH_FINGERPRINT_MEDIA_FINGERPRINTER_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "decoders/decode_limits.h"
#include "decoders/media_sniffer.h"
#include "decoders/video_frame_sampler.h"
#include "hashing/border_detector.h"
#include "hashing/file_digests.h"
#include "hashing/pdq_hasher.h"

namespace clearmatch {

struct MediaFingerprint {
  MediaFormat format = MediaFormat::kUnknown;
  FileDigests digests;
  // Width and height stored in the file (images: before any reduced decode;
  // videos: of the video stream).
  int width = 0;
  int height = 0;
  // Images only: PDQ of the image (hashes[0]) and, when requested, the other
  // seven dihedral variants (otherwise those stay all-zero).
  std::optional<PdqDihedralResult> pdq;
  // Images only, when trimming was asked and the image has a border: the
  // content inside it (in the pixels of the file, as width and height) and
  // its PDQ (with the dihedral variants when those were asked for).
  std::optional<ContentRect> content_rect;
  std::optional<PdqDihedralResult> trimmed_pdq;
  // The second reading of where the border ends, when the pixels allow one
  // (ContentRects::alternative: the outermost steps only, a frame's sides
  // made equal), and its PDQ; only with content_rect and trimmed_pdq.
  std::optional<ContentRect> alternative_rect;
  std::optional<PdqDihedralResult> alternative_pdq;
  // Videos only: the sampled frames' PDQ hashes (with their dihedral and
  // trimmed variants when asked) and what decoding learnt.
  std::optional<VpdqVideoHash> vpdq;
};

class MediaFingerprinter {
 public:
  struct Options {
    ImageDecodeLimits image_limits;
    // Compute the 7 rotated/flipped variants too (8 lookups per image; of
    // every sampled frame of a video, into vpdq->variants).
    bool dihedral = false;
    // Also hash the image with its uniform borders trimmed, when it has
    // some (FindContentRects): one more PDQ (or 8) for bordered images
    // only, two when the border can be read two ways.
    bool trim = false;
    BorderTrimOptions border;
    // Video sampling (frames per hash, keyframes only) and limits; its
    // dihedral and trim are this struct's.
    VideoFrameSampler::Options video;
  };

  // INVALID_ARGUMENT naming an option out of range. Loads nothing.
  static absl::StatusOr<std::unique_ptr<MediaFingerprinter>> Create(
      const Options& options);

  // Largest input any allowed format accepts (bytes): read no more.
  int64_t max_input_bytes() const;

  // INVALID_ARGUMENT for formats outside the allow-list or malformed media,
  // RESOURCE_EXHAUSTED for media over a limit, DEADLINE_EXCEEDED for a video
  // over its wall-time budget, FAILED_PRECONDITION for a video when the
  // video module cannot be loaded.
  absl::StatusOr<MediaFingerprint> Fingerprint(absl::Span<const uint8_t> bytes);

 private:
  explicit MediaFingerprinter(const Options& options);

  // The video sampler, made (and the video module loaded) on first use, so
  // that fingerprinting images never loads FFmpeg.
  absl::StatusOr<const VideoFrameSampler*> Sampler();

  absl::Status FingerprintImage(absl::Span<const uint8_t> bytes,
                                MediaFingerprint* fingerprint);
  // PDQ of `image` (and its variants when options_.dihedral).
  PdqDihedralResult HashImage(const PixelView& image);
  // The trimmed content's rectangle and PDQ, when `image` has a border.
  void TrimImage(const PixelView& image, MediaFingerprint* fingerprint);

  const Options options_;
  std::unique_ptr<VideoFrameSampler> sampler_;
  PdqHasher hasher_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_FINGERPRINT_MEDIA_FINGERPRINTER_H_
