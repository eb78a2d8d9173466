// The demux-only pre-scan of FfmpegVideoFrameSampler's skip-unsampled and
// keyframe passes: the presentation timestamps of the video stream's
// packets, sorted, so that a packet's frame number (its rank) is known
// before it is decoded.
//
//   CM_ASSIGN_OR_RETURN(PacketScan scan,
//                       ScanPackets(input, stream, time_base, limits));
//   const int64_t frame_number = scan.Rank(packet->pts);  // -1: unknown
#ifndef CLEARMATCH_DECODERS_FFMPEG_PACKET_SCAN_H_
#define CLEARMATCH_DECODERS_FFMPEG_PACKET_SCAN_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "decoders/ffmpeg_memory_input.h"
#include "decoders/video_frame_sampler.h"

namespace clearmatch::decoders_internal {

// What the pre-scan learnt: presentation timestamps of the video packets.
struct PacketScan {
  std::vector<int64_t> sorted_pts;
  // Every packet had a timestamp and no two were equal.
  bool timestamps_unique = true;

  // Presentation index of the frame with timestamp `pts`, or -1.
  int64_t Rank(int64_t pts) const {
    auto it = std::lower_bound(sorted_pts.begin(), sorted_pts.end(), pts);
    if (it == sorted_pts.end() || *it != pts) return -1;
    return it - sorted_pts.begin();
  }
};

// Demuxes every packet of the stream (no decoding), bounded by the frame,
// duration and time limits. Leaves `input` at its end.
absl::StatusOr<PacketScan> ScanPackets(FfmpegMemoryInput& input,
                                       int stream_index, AVRational time_base,
                                       const VideoDecodeLimits& limits);

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_FFMPEG_PACKET_SCAN_H_
