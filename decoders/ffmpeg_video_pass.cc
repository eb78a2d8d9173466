// One decoding pass over a video (see ffmpeg_video_pass.h).
#include "decoders/ffmpeg_video_pass.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "decoders/video_limit_checks.h"

namespace clearmatch::decoders_internal {
namespace {

// The variants a pass fills, without frames: the 7 dihedral ones, then one
// set per reading of where the bars end (kOriginal, then the 7 with
// `dihedral`); the sampler drops the readings no frame needed.
std::vector<VpdqFrameVariant> EmptyVariants(bool dihedral, bool trim) {
  std::vector<VpdqFrameVariant> variants;
  for (int t = 1; dihedral && t < kDihedralCount; ++t) {
    variants.push_back({.transform = static_cast<DihedralTransform>(t),
                        .trimmed = false,
                        .features = {}});
  }
  for (int r = 0; trim && r < kMaxContentReadings; ++r) {
    for (int t = 0; t < (dihedral ? kDihedralCount : 1); ++t) {
      variants.push_back({.transform = static_cast<DihedralTransform>(t),
                          .trimmed = true,
                          .features = {}});
    }
  }
  return variants;
}

// What a frame gives the variants of `reading`: the frame's own hashes when
// it has no bars, its first reading's when it has fewer readings.
const PdqDihedralResult& ReadingHashes(const FrameHashes& hashes,
                                       size_t reading) {
  if (hashes.trimmed.empty()) return hashes.frame;
  return reading < hashes.trimmed.size() ? hashes.trimmed[reading]
                                         : hashes.trimmed[0];
}

}  // namespace

FfmpegVideoPass::FfmpegVideoPass(const VideoFrameSampler::Options& options,
                                 int stream_index, AVRational time_base,
                                 double fps, int64_t every)
    : options_(options),
      stream_index_(stream_index),
      time_base_(time_base),
      fps_(fps),
      every_(every),
      frame_hasher_(options.conversion, options.dihedral, options.trim) {}

absl::StatusOr<bool> FfmpegVideoPass::Run(FfmpegMemoryInput& input,
                                          FfmpegDecoder& decoder, PassMode mode,
                                          const PacketScan* scan,
                                          VpdqVideoHash* out) {
  mode_ = mode;
  scan_ = scan;
  out_ = out;
  frame_.reset(av_frame_alloc());
  if (frame_ == nullptr) {
    return absl::ResourceExhaustedError("cannot allocate an AVFrame");
  }
  CM_ASSIGN_OR_RETURN(bool consistent, DecodePackets(input, decoder));
  if (!consistent) return false;
  CM_RETURN_IF_ERROR(decoder.Send(nullptr));
  CM_ASSIGN_OR_RETURN(consistent, ReceiveFrames(decoder));
  if (!consistent) return false;
  return FinishCounts(decoder);
}

absl::StatusOr<bool> FfmpegVideoPass::DecodePackets(FfmpegMemoryInput& input,
                                                    FfmpegDecoder& decoder) {
  AvPacketPtr packet(av_packet_alloc());
  if (packet == nullptr) {
    return absl::ResourceExhaustedError("cannot allocate an AVFrame");
  }
  AVFormatContext* format = input.format_context();
  while (true) {
    const int read = av_read_frame(format, packet.get());
    if (read < 0) {
      // End of data or an unreadable tail: hash what was decoded, as the
      // reference does, unless the wall-time budget ran out.
      CM_RETURN_IF_ERROR(input.DeadlineOr(absl::OkStatus()));
      return true;
    }
    if (packet->stream_index != stream_index_ ||
        (mode_ == PassMode::kKeyframes && !(packet->flags & AV_PKT_FLAG_KEY))) {
      av_packet_unref(packet.get());
      continue;
    }
    if (mode_ == PassMode::kSkipUnsampled) {
      const int64_t rank = scan_->Rank(packet->pts);
      decoder.set_skip_frame(rank >= 0 && rank % every_ == 0
                                 ? AVDISCARD_DEFAULT
                                 : AVDISCARD_NONREF);
    } else if (mode_ == PassMode::kKeyframes) {
      decoder.set_skip_frame(AVDISCARD_NONKEY);
    }
    absl::Status sent = decoder.Send(packet.get());
    av_packet_unref(packet.get());
    CM_RETURN_IF_ERROR(sent);
    CM_ASSIGN_OR_RETURN(bool consistent, ReceiveFrames(decoder));
    if (!consistent) return false;
    CM_RETURN_IF_ERROR(input.DeadlineOr(absl::OkStatus()));
  }
}

bool FfmpegVideoPass::FinishCounts(const FfmpegDecoder& decoder) {
  if (mode_ == PassMode::kSkipUnsampled) {
    const int64_t frames = static_cast<int64_t>(scan_->sorted_pts.size());
    const int64_t expected = (frames + every_ - 1) / every_;
    if (decoder.decode_errors() > 0 ||
        static_cast<int64_t>(out_->features.size()) != expected) {
      return false;
    }
    out_->decoded_frames = frames;
  } else if (mode_ == PassMode::kKeyframes && scan_ != nullptr) {
    out_->decoded_frames = static_cast<int64_t>(scan_->sorted_pts.size());
  } else {
    out_->decoded_frames = counted_;
  }
  return true;
}

absl::StatusOr<bool> FfmpegVideoPass::ReceiveFrames(FfmpegDecoder& decoder) {
  while (true) {
    CM_ASSIGN_OR_RETURN(bool got, decoder.Receive(frame_.get()));
    if (!got) return true;
    absl::StatusOr<bool> handled = HandleFrame(*frame_);
    av_frame_unref(frame_.get());
    if (!handled.ok() || !*handled) return handled;
  }
}

absl::StatusOr<bool> FfmpegVideoPass::HandleFrame(const AVFrame& frame) {
  const VideoDecodeLimits& limits = options_.limits;
  if (++counted_ > limits.max_decoded_frames) {
    return TooManyFrames(counted_, limits);
  }
  const int64_t pts = frame.best_effort_timestamp;
  if (pts != AV_NOPTS_VALUE) {
    if (first_pts_ == AV_NOPTS_VALUE) first_pts_ = pts;
    CM_RETURN_IF_ERROR(CheckDuration(
        static_cast<double>(pts - first_pts_) * av_q2d(time_base_),
        "timestamp span", limits));
  }
  int64_t frame_number = counted_ - 1;
  double seconds = 0;
  switch (mode_) {
    case PassMode::kEveryFrame:
      if (frame_number % every_ != 0) return true;
      seconds = frame_number / fps_;
      break;
    case PassMode::kSkipUnsampled:
      frame_number = scan_->Rank(pts);
      if (frame_number < 0 || frame_number <= last_rank_) return false;
      last_rank_ = frame_number;
      if (frame_number % every_ != 0) return true;
      seconds = frame_number / fps_;
      break;
    case PassMode::kKeyframes: {
      const int64_t rank =
          scan_ != nullptr && scan_->timestamps_unique ? scan_->Rank(pts) : -1;
      if (rank >= 0) frame_number = rank;
      const int64_t start = scan_ != nullptr && !scan_->sorted_pts.empty()
                                ? scan_->sorted_pts.front()
                                : first_pts_;
      seconds = pts == AV_NOPTS_VALUE
                    ? frame_number / fps_
                    : std::max(0.0, static_cast<double>(pts - start) *
                                        av_q2d(time_base_));
      break;
    }
  }
  CM_ASSIGN_OR_RETURN(FrameHashes hashes, frame_hasher_.Hash(frame));
  const VpdqFeature feature{.frame_number = frame_number,
                            .quality = hashes.frame.quality,
                            .hash = hashes.frame.hashes[0],
                            .seconds = seconds};
  out_->features.push_back(feature);
  AppendVariants(hashes, feature);
  return true;
}

void FfmpegVideoPass::AppendVariants(const FrameHashes& hashes,
                                     const VpdqFeature& feature) {
  const bool dihedral = options_.dihedral, trim = options_.trim;
  if (!dihedral && !trim) return;
  std::vector<VpdqFrameVariant>& variants = out_->variants;
  if (variants.empty()) variants = EmptyVariants(dihedral, trim);
  if (!hashes.trimmed.empty()) ++out_->trimmed_frames;
  const int per_reading = dihedral ? kDihedralCount : 1;
  int trimmed_index = 0;
  for (VpdqFrameVariant& variant : variants) {
    const PdqDihedralResult& from =
        variant.trimmed
            ? ReadingHashes(hashes,
                            static_cast<size_t>(trimmed_index++ / per_reading))
            : hashes.frame;
    VpdqFeature f = feature;
    f.hash = from.hashes[static_cast<int>(variant.transform)];
    f.quality = from.quality;
    variant.features.push_back(f);
  }
}

}  // namespace clearmatch::decoders_internal
