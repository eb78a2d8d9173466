// VideoFrameSampler: the vPDQ hash of an uploaded video (specs/PDQ_VPDQ.md),
// decoded from memory with FFmpeg within bounded bytes, pixels, duration,
// frames and wall time.
//
// The FFmpeg implementation (FfmpegVideoFrameSampler) lives in the shared
// module libclearmatch_video.so, which Create() loads on first use: a
// process that never hashes a video never loads FFmpeg (~30 ms of dynamic
// linking). This header and Create() need no FFmpeg.
//
//   VideoFrameSampler::Options options;          // 1 hash per second
//   absl::StatusOr<std::unique_ptr<VideoFrameSampler>> sampler =
//       VideoFrameSampler::Create(options);
//   absl::StatusOr<VpdqVideoHash> video = (*sampler)->Hash(bytes);
//   for (const VpdqFeature& f : video->features) ... FormatVpdqFeature(f) ...
//   VpdqMatchResult m = MatchVpdq(video->features, bank_features, {});
//
// Frame selection (the reference's, default): fps = the stream's average
// frame rate, else its base rate; every = max(1, (int)(seconds_per_hash *
// fps)); frames are numbered over the decoded frames from 0 and frame n is
// hashed when n % every == 0, with seconds = n / fps. seconds_per_hash = 0
// hashes every frame.
//
// Keyframe-only mode (keyframes_only = true, for bulk rescans, ~10x faster):
// a DIFFERENT selection: every keyframe (and only keyframes) is hashed, with
// its presentation index as frame number and its timestamp (from the
// stream's start) as seconds. Its lists still match reference lists with
// MatchVpdq, but are not reference-conformant line by line.
//
// Input: only containers mov/mp4 (+m4a, 3gp, 3g2, mj2), Matroska/WebM and
// GIF; only codecs H.264, HEVC, VP8, VP9, AV1 (libdav1d), MPEG-4 part 2 and
// GIF. FFmpeg never sees a file name or URL and may open nothing else.
// FFmpeg's logging is silenced process-wide.
//
// Thread-safe: Hash() is const and keeps its state per call; run one call
// per core.
#ifndef CLEARMATCH_DECODERS_VIDEO_FRAME_SAMPLER_H_
#define CLEARMATCH_DECODERS_VIDEO_FRAME_SAMPLER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "hashing/pdq_hasher.h"
#include "hashing/vpdq_feature.h"

namespace clearmatch {

struct VideoDecodeLimits {
  // Largest accepted upload (bytes).
  int64_t max_bytes = int64_t{512} << 20;
  // Largest frame side (pixels), on stream parameters and every frame.
  // 7680 admits 8K landscape and portrait.
  int max_width = 7680;
  int max_height = 7680;
  // Largest width*height (8K UHD: 7680x4320).
  int64_t max_pixels = int64_t{7680} * 4320;
  // Longest accepted duration (container, stream, or timestamp span).
  double max_duration_seconds = 4 * 3600;
  // Most frames decoded (or packets demuxed) per video: 4 h at 30 fps.
  int64_t max_decoded_frames = 432'000;
  // Most streams a container may declare.
  int max_streams = 32;
  // Wall-time budget per video (demux + decode + hash).
  absl::Duration max_wall_time = absl::Seconds(120);
};

// The frames of a video as another variant: rotated or mirrored (from the
// same DCT as the frame's hash), and/or with letterbox bars trimmed.
struct VpdqFrameVariant {
  DihedralTransform transform = DihedralTransform::kOriginal;
  bool trimmed = false;
  // One per sampled frame, aligned with VpdqVideoHash::features (same frame
  // numbers and seconds). A frame without bars repeats its untrimmed hash
  // in the trimmed variants.
  std::vector<VpdqFeature> features;
};

// The vPDQ hash of one video and what was learnt decoding it.
struct VpdqVideoHash {
  // The frames as decoded: the reference's vPDQ hash.
  std::vector<VpdqFeature> features;
  // When the options ask for them: the 7 dihedral variants (untrimmed, in
  // DihedralTransform order from kRotate90), then, when some frame had
  // bars, the trimmed frames (kOriginal, then its 7 dihedral variants when
  // dihedral), once per reading of where the bars end that some frame
  // needed (FindContentReadings; the content rectangle's first).
  std::vector<VpdqFrameVariant> variants;
  // Sampled frames that had letterbox bars (options.trim only).
  int64_t trimmed_frames = 0;
  double fps = 0;              // frame rate used for selection
  int64_t decoded_frames = 0;  // frames counted (presentation order)
  int width = 0;               // of the video stream's parameters
  int height = 0;
  std::string container;  // FFmpeg demuxer, e.g. "mov", "matroska"
  std::string codec;      // e.g. "h264"
  // True when the fast path (skipping unsampled non-reference frames) was
  // used; false when every frame was decoded.
  bool skipped_unsampled_frames = false;

  // The frames with their letterbox bars trimmed (untransformed), when some
  // sampled frame had bars; else null.
  const std::vector<VpdqFeature>* TrimmedFeatures() const;
};

class VideoFrameSampler {
 public:
  // How sampled frames become PDQ input.
  enum class FrameConversion {
    // The reference's conversion (default): RGB24 at full size with
    // swscale's area filter, then luma from RGB.
    kRgb24Area,
    // Luma straight from the decoder's 8-bit Y plane (scaled like swscale's
    // BT.601 YUV->RGB for limited range); other pixel formats fall back to
    // kRgb24Area. Within 8 bits of the reference at 1/s, but a frame's
    // quality can differ by one (49 vs 50 seen), so not the default.
    kLumaPlane,
  };

  struct Options {
    VideoDecodeLimits limits{};
    // Seconds between hashed frames (>= 0); 0 hashes every frame.
    double seconds_per_hash = 1.0;
    // Hash keyframes only (see the file comment).
    bool keyframes_only = false;
    // FFmpeg decoder threads per video (>= 1). The daemon runs videos in
    // parallel, so 1 is the default; a single long video gains ~1.3x from 2.
    int decoder_threads = 1;
    // Do not decode unsampled frames that no other frame references
    // (AVDISCARD_NONREF). Sampled frames are bit-identical; needs unique
    // presentation timestamps, and falls back to decoding every frame when
    // the stream's timestamps do not allow it.
    bool skip_unsampled_frames = true;
    FrameConversion conversion = FrameConversion::kRgb24Area;
    // Also hash every sampled frame's 7 rotations and mirrors (from the one
    // DCT: a few percent more per frame) into VpdqVideoHash::variants.
    bool dihedral = false;
    // Also hash every sampled frame with its letterbox / pillarbox bars
    // trimmed (hashing/border_detector.h); a frame is hashed again only when
    // it has bars (once per reading of where they end, at most
    // kMaxContentReadings), and the trimmed variants are kept only when some
    // frame had them.
    bool trim = false;
    // The clock limits.max_wall_time is measured with; empty: absl::Now. A
    // seam for tests (a fake clock makes the budget deterministic); called
    // from every Hash, so it must be thread-safe when they run in parallel.
    std::function<absl::Time()> clock = nullptr;
  };

  virtual ~VideoFrameSampler() = default;

  // INVALID_ARGUMENT naming an option out of range. Needs no FFmpeg.
  static absl::Status ValidateOptions(const Options& options);

  // Validates `options`, loads the video module (once per process) and makes
  // a sampler. INVALID_ARGUMENT naming an option out of range;
  // FAILED_PRECONDITION when the module cannot be loaded (named, with the
  // loader's reason).
  static absl::StatusOr<std::unique_ptr<VideoFrameSampler>> Create(
      const Options& options);

  // The vPDQ hash of `bytes` (a whole video file, never written anywhere).
  // Errors:
  // - INVALID_ARGUMENT: empty, unrecognised, refused (container or codec
  //   named) or malformed input; no video stream (e.g. audio only); no frame
  //   rate;
  // - RESOURCE_EXHAUSTED: over a limit (named with its value);
  // - DEADLINE_EXCEEDED: over limits.max_wall_time.
  // A video whose frames all decode to nothing hashable (e.g. black) gives
  // features of quality 0, which never match.
  virtual absl::StatusOr<VpdqVideoHash> Hash(
      absl::Span<const uint8_t> bytes) const = 0;

  const Options& options() const { return options_; }

 protected:
  explicit VideoFrameSampler(const Options& options) : options_(options) {}

 private:
  const Options options_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DECODERS_VIDEO_FRAME_SAMPLER_H_
