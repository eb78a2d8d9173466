// The demux-only pre-scan of video packets (see ffmpeg_packet_scan.h).
#include "decoders/ffmpeg_packet_scan.h"

#include "absl/status/status.h"
#include "common/status_macros.h"
#include "decoders/ffmpeg_handles.h"
#include "decoders/video_limit_checks.h"

namespace clearmatch::decoders_internal {

absl::StatusOr<PacketScan> ScanPackets(FfmpegMemoryInput& input,
                                       int stream_index, AVRational time_base,
                                       const VideoDecodeLimits& limits) {
  PacketScan scan;
  AvPacketPtr packet(av_packet_alloc());
  if (packet == nullptr) {
    return absl::ResourceExhaustedError("cannot allocate an AVPacket");
  }
  while (av_read_frame(input.format_context(), packet.get()) >= 0) {
    const bool counted = packet->stream_index == stream_index &&
                         !(packet->flags & AV_PKT_FLAG_DISCARD);
    const int64_t pts = packet->pts;
    av_packet_unref(packet.get());
    if (!counted) continue;
    if (pts == AV_NOPTS_VALUE) {
      scan.timestamps_unique = false;
    } else {
      scan.sorted_pts.push_back(pts);
    }
    const int64_t packets = static_cast<int64_t>(scan.sorted_pts.size());
    if (packets > limits.max_decoded_frames) {
      return TooManyFrames(packets, limits);
    }
    if ((packets & 1023) == 0) {
      CM_RETURN_IF_ERROR(input.DeadlineOr(absl::OkStatus()));
    }
  }
  CM_RETURN_IF_ERROR(input.DeadlineOr(absl::OkStatus()));
  std::sort(scan.sorted_pts.begin(), scan.sorted_pts.end());
  if (std::adjacent_find(scan.sorted_pts.begin(), scan.sorted_pts.end()) !=
      scan.sorted_pts.end()) {
    scan.timestamps_unique = false;
  }
  if (!scan.sorted_pts.empty()) {
    CM_RETURN_IF_ERROR(CheckDuration(
        static_cast<double>(scan.sorted_pts.back() - scan.sorted_pts.front()) *
            av_q2d(time_base),
        "timestamp span", limits));
  }
  return scan;
}

}  // namespace clearmatch::decoders_internal
