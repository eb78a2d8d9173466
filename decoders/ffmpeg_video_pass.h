// FfmpegVideoPass: one decoding pass of FfmpegVideoFrameSampler over an
// opened input, in one of three modes (the plan is at the top of
// ffmpeg_video_frame_sampler.cc): every frame, skipping unsampled frames
// with a pre-scan, or keyframes only. Each sampled frame is hashed
// (FfmpegFrameHasher) and appended to the result's features, its dihedral
// and trimmed hashes to the result's variants when the options ask.
//
//   FfmpegVideoPass pass(options, stream_index, time_base, fps, every);
//   CM_ASSIGN_OR_RETURN(bool consistent,
//                       pass.Run(input, decoder, mode, &scan, &result));
//
// One Run per instance. Thread-compatible.
#ifndef CLEARMATCH_DECODERS_FFMPEG_VIDEO_PASS_H_
#define CLEARMATCH_DECODERS_FFMPEG_VIDEO_PASS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "decoders/ffmpeg_decoder.h"
#include "decoders/ffmpeg_frame_hasher.h"
#include "decoders/ffmpeg_handles.h"
#include "decoders/ffmpeg_memory_input.h"
#include "decoders/ffmpeg_packet_scan.h"
#include "decoders/video_frame_sampler.h"

namespace clearmatch::decoders_internal {

enum class PassMode { kEveryFrame, kSkipUnsampled, kKeyframes };

class FfmpegVideoPass {
 public:
  // Hashes every `every`-th frame of stream `stream_index`; `options` must
  // outlive the pass.
  FfmpegVideoPass(const VideoFrameSampler::Options& options, int stream_index,
                  AVRational time_base, double fps, int64_t every);

  // Runs `mode` (scan required unless kEveryFrame). Returns false when the
  // skip-unsampled pass found the stream inconsistent with its pre-scan.
  absl::StatusOr<bool> Run(FfmpegMemoryInput& input, FfmpegDecoder& decoder,
                           PassMode mode, const PacketScan* scan,
                           VpdqVideoHash* out);

 private:
  // Sends every packet of the stream the mode decodes, receiving frames.
  absl::StatusOr<bool> DecodePackets(FfmpegMemoryInput& input,
                                     FfmpegDecoder& decoder);
  // After the last frame: false if the skip-unsampled pass did not produce
  // every sampled frame; sets out_->decoded_frames.
  bool FinishCounts(const FfmpegDecoder& decoder);
  absl::StatusOr<bool> ReceiveFrames(FfmpegDecoder& decoder);
  // Checks the limits, numbers and times the frame, and hashes it when it
  // is sampled; false when the skip-unsampled pass finds it inconsistent.
  absl::StatusOr<bool> HandleFrame(const AVFrame& frame);
  // Appends the frame's dihedral and trimmed hashes to out_->variants (made
  // on the first frame, in the order video_frame_sampler.h gives).
  void AppendVariants(const FrameHashes& hashes, const VpdqFeature& feature);

  const VideoFrameSampler::Options& options_;
  const int stream_index_;
  const AVRational time_base_;
  const double fps_;
  const int64_t every_;
  FfmpegFrameHasher frame_hasher_;
  AvFramePtr frame_;
  PassMode mode_ = PassMode::kEveryFrame;
  const PacketScan* scan_ = nullptr;
  VpdqVideoHash* out_ = nullptr;
  int64_t counted_ = 0;
  int64_t last_rank_ = -1;
  int64_t first_pts_ = AV_NOPTS_VALUE;
};

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_FFMPEG_VIDEO_PASS_H_
