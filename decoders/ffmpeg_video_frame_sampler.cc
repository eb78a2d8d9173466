// vPDQ hashing of in-memory videos with FFmpeg (see video_frame_sampler.h
// and ffmpeg_video_frame_sampler.h).
//
// Plan of Hash(): open and check the container and stream (limits before any
// decoding); then one of three decode passes:
// - every frame (the reference's method): decode all, count output frames;
// - skip unsampled: a demux-only pre-scan ranks packets by presentation
//   timestamp, so each packet's frame number is known before decoding;
//   packets of unsampled frames are decoded with AVDISCARD_NONREF, which
//   drops them unless other frames reference them. Sampled frames are found
//   again by timestamp; any inconsistency (duplicate or missing timestamps,
//   decode errors, a sampled frame not produced) reruns the every-frame pass;
// - keyframes: only packets flagged as keyframes are decoded.
#include "decoders/ffmpeg_video_frame_sampler.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "decoders/ffmpeg_decoder.h"
#include "decoders/ffmpeg_handles.h"
#include "decoders/ffmpeg_memory_input.h"
#include "hashing/pdq_hasher.h"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace clearmatch {
namespace {

using decoders_internal::AvFramePtr;
using decoders_internal::AvPacketPtr;
using decoders_internal::FfmpegDecoder;
using decoders_internal::FfmpegMemoryInput;
using decoders_internal::SwsContextPtr;

// FFmpeg demuxer names (AVInputFormat::name) allowed for videos.
const std::vector<std::string>& AllowedFormats() {
  static const auto* formats = new std::vector<std::string>{
      "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "gif"};
  return *formats;
}

constexpr AVCodecID kAllowedCodecs[] = {
    AV_CODEC_ID_H264, AV_CODEC_ID_HEVC,  AV_CODEC_ID_VP8, AV_CODEC_ID_VP9,
    AV_CODEC_ID_AV1,  AV_CODEC_ID_MPEG4, AV_CODEC_ID_GIF};

enum class PassMode { kEveryFrame, kSkipUnsampled, kKeyframes };

// Turns decoded frames into PDQ results; owns reusable buffers.
class FrameHasher {
 public:
  explicit FrameHasher(VideoFrameSampler::FrameConversion conversion)
      : conversion_(conversion),
        hasher_(PdqHasher::Options{.sample_large_to_512 = false}) {}

  absl::StatusOr<PdqResult> Hash(const AVFrame& frame) {
    const auto format = static_cast<AVPixelFormat>(frame.format);
    if (conversion_ == VideoFrameSampler::FrameConversion::kLumaPlane &&
        HasEightBitLuma(format)) {
      return HashLumaPlane(frame, IsFullRange(format));
    }
    return HashRgb(frame);
  }

 private:
  // Pixel formats whose plane 0 is 8-bit Y, one byte per pixel.
  static bool HasEightBitLuma(AVPixelFormat format) {
    switch (format) {
      case AV_PIX_FMT_YUV420P:
      case AV_PIX_FMT_YUVJ420P:
      case AV_PIX_FMT_YUV422P:
      case AV_PIX_FMT_YUVJ422P:
      case AV_PIX_FMT_YUV444P:
      case AV_PIX_FMT_YUVJ444P:
      case AV_PIX_FMT_YUV440P:
      case AV_PIX_FMT_YUVJ440P:
      case AV_PIX_FMT_NV12:
      case AV_PIX_FMT_NV21:
        return true;
      default:
        return false;
    }
  }
  // swscale treats only the J formats as full range (the reference does not
  // pass the frame's color_range to swscale).
  static bool IsFullRange(AVPixelFormat format) {
    return format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUVJ422P ||
           format == AV_PIX_FMT_YUVJ444P || format == AV_PIX_FMT_YUVJ440P;
  }

  // 0.299 R + 0.587 G + 0.114 B of swscale's BT.601 YUV->RGB equals
  // 255/219 (Y - 16) for limited range (the chroma terms cancel), clipped.
  PdqResult HashLumaPlane(const AVFrame& frame, bool full_range) {
    if (lut_full_range_ != full_range || !lut_ready_) {
      for (int y = 0; y < 256; ++y) {
        lut_[y] = full_range
                      ? static_cast<float>(y)
                      : std::clamp((y - 16) * 255.0f / 219.0f, 0.0f, 255.0f);
      }
      lut_full_range_ = full_range;
      lut_ready_ = true;
    }
    const int width = frame.width, height = frame.height;
    luma_.resize(static_cast<size_t>(width) * height);
    for (int row = 0; row < height; ++row) {
      const uint8_t* in =
          frame.data[0] + static_cast<ptrdiff_t>(row) * frame.linesize[0];
      float* out = luma_.data() + static_cast<size_t>(row) * width;
      for (int col = 0; col < width; ++col) out[col] = lut_[in[col]];
    }
    return hasher_.HashLuma(luma_.data(), width, height);
  }

  absl::StatusOr<PdqResult> HashRgb(const AVFrame& frame) {
    const int width = frame.width, height = frame.height;
    sws_.reset(sws_getCachedContext(
        sws_.release(), width, height, static_cast<AVPixelFormat>(frame.format),
        width, height, AV_PIX_FMT_RGB24, SWS_AREA, nullptr, nullptr, nullptr));
    if (sws_ == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot convert pixel format '",
          av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame.format)),
          "' to RGB"));
    }
    // swscale's SIMD writers want aligned rows and may write a little past
    // the last row's end.
    const int stride = FFALIGN(width * 3, 64);
    rgb_.resize(static_cast<size_t>(stride) * height + 64);
    uint8_t* planes[4] = {rgb_.data(), nullptr, nullptr, nullptr};
    int strides[4] = {stride, 0, 0, 0};
    sws_scale(sws_.get(), frame.data, frame.linesize, 0, height, planes,
              strides);
    return hasher_.Hash(PixelView{.data = rgb_.data(),
                                  .width = width,
                                  .height = height,
                                  .stride = static_cast<size_t>(stride),
                                  .format = PixelFormat::kRgb});
  }

  const VideoFrameSampler::FrameConversion conversion_;
  PdqHasher hasher_;
  std::vector<float> luma_;
  std::array<float, 256> lut_{};
  bool lut_ready_ = false;
  bool lut_full_range_ = false;
  SwsContextPtr sws_;
  std::vector<uint8_t> rgb_;
};

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

absl::Status CheckDuration(double seconds, const char* what,
                           const VideoDecodeLimits& limits) {
  if (seconds > limits.max_duration_seconds) {
    return absl::ResourceExhaustedError(absl::StrCat(
        what, " is ", seconds,
        " s, over max_duration_seconds=", limits.max_duration_seconds));
  }
  return absl::OkStatus();
}

absl::Status TooManyFrames(int64_t frames, const VideoDecodeLimits& limits) {
  return absl::ResourceExhaustedError(absl::StrCat(
      "video has more than max_decoded_frames=", limits.max_decoded_frames,
      " frames (", frames, " reached)"));
}

// One hashing run over an opened input.
class VideoPass {
 public:
  VideoPass(const VideoFrameSampler::Options& options, int stream_index,
            AVRational time_base, double fps, int64_t every)
      : options_(options),
        stream_index_(stream_index),
        time_base_(time_base),
        fps_(fps),
        every_(every),
        frame_hasher_(options.conversion) {}

  // Runs `mode` (scan required unless kEveryFrame). Returns false when the
  // skip-unsampled pass found the stream inconsistent with its pre-scan.
  absl::StatusOr<bool> Run(FfmpegMemoryInput& input, FfmpegDecoder& decoder,
                           PassMode mode, const PacketScan* scan,
                           VpdqVideoHash* out) {
    mode_ = mode;
    scan_ = scan;
    out_ = out;
    AvPacketPtr packet(av_packet_alloc());
    frame_.reset(av_frame_alloc());
    if (packet == nullptr || frame_ == nullptr) {
      return absl::ResourceExhaustedError("cannot allocate an AVFrame");
    }
    AVFormatContext* format = input.format_context();
    while (true) {
      const int read = av_read_frame(format, packet.get());
      if (read < 0) {
        // End of data or an unreadable tail: hash what was decoded, as the
        // reference does, unless the wall-time budget ran out.
        CM_RETURN_IF_ERROR(input.DeadlineOr(absl::OkStatus()));
        break;
      }
      if (packet->stream_index != stream_index_ ||
          (mode_ == PassMode::kKeyframes &&
           !(packet->flags & AV_PKT_FLAG_KEY))) {
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
    CM_RETURN_IF_ERROR(decoder.Send(nullptr));
    CM_ASSIGN_OR_RETURN(bool consistent, ReceiveFrames(decoder));
    if (!consistent) return false;
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

 private:
  absl::StatusOr<bool> ReceiveFrames(FfmpegDecoder& decoder) {
    while (true) {
      CM_ASSIGN_OR_RETURN(bool got, decoder.Receive(frame_.get()));
      if (!got) return true;
      absl::StatusOr<bool> handled = HandleFrame(*frame_);
      av_frame_unref(frame_.get());
      if (!handled.ok() || !*handled) return handled;
    }
  }

  absl::StatusOr<bool> HandleFrame(const AVFrame& frame) {
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
        const int64_t rank = scan_ != nullptr && scan_->timestamps_unique
                                 ? scan_->Rank(pts)
                                 : -1;
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
    CM_ASSIGN_OR_RETURN(PdqResult pdq, frame_hasher_.Hash(frame));
    out_->features.push_back({.frame_number = frame_number,
                              .quality = pdq.quality,
                              .hash = pdq.hash,
                              .seconds = seconds});
    return true;
  }

  const VideoFrameSampler::Options& options_;
  const int stream_index_;
  const AVRational time_base_;
  const double fps_;
  const int64_t every_;
  FrameHasher frame_hasher_;
  AvFramePtr frame_;
  PassMode mode_ = PassMode::kEveryFrame;
  const PacketScan* scan_ = nullptr;
  VpdqVideoHash* out_ = nullptr;
  int64_t counted_ = 0;
  int64_t last_rank_ = -1;
  int64_t first_pts_ = AV_NOPTS_VALUE;
};

// Demuxes every packet of the stream (no decoding), bounded by the frame,
// duration and time limits.
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

absl::Status CheckDeclaredSize(const AVCodecParameters& parameters,
                               const VideoDecodeLimits& limits) {
  const int width = parameters.width, height = parameters.height;
  if (width > limits.max_width || height > limits.max_height ||
      int64_t{width} * height > limits.max_pixels) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "video stream header declares ", width, "x", height,
        ", over the limits max_width x max_height = ", limits.max_width, "x",
        limits.max_height, ", max_pixels=", limits.max_pixels));
  }
  return absl::OkStatus();
}

absl::StatusOr<VpdqVideoHash> CheckHasFrames(VpdqVideoHash result) {
  if (result.features.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", result.codec, " stream has no decodable frame (",
                     result.decoded_frames, " frames decoded)"));
  }
  return result;
}

// Frame rate of the reference: average rate, else the base rate.
double StreamFps(const AVStream& stream) {
  for (AVRational rate : {stream.avg_frame_rate, stream.r_frame_rate}) {
    if (rate.num > 0 && rate.den > 0) return av_q2d(rate);
  }
  return 0;
}

}  // namespace

absl::StatusOr<VpdqVideoHash> FfmpegVideoFrameSampler::Hash(
    absl::Span<const uint8_t> bytes) const {
  const VideoDecodeLimits& limits = options().limits;
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("video is ", bytes.size(),
                     " bytes, over max_bytes=", limits.max_bytes));
  }
  FfmpegMemoryInput::Options input_options{
      .allowed_formats = AllowedFormats(),
      .allowed_decoders = FfmpegDecoder::DecoderNames(kAllowedCodecs),
      .max_streams = limits.max_streams,
      .max_pixels = limits.max_pixels,
      .deadline = (options().clock ? options().clock() : absl::Now()) +
                  limits.max_wall_time,
      .clock = options().clock};
  CM_ASSIGN_OR_RETURN(std::unique_ptr<FfmpegMemoryInput> input,
                      FfmpegMemoryInput::Open(bytes, input_options));
  AVFormatContext* format = input->format_context();
  // Sizes as the container declares them, before FFmpeg decodes anything.
  for (unsigned i = 0; i < format->nb_streams; ++i) {
    const AVCodecParameters& declared = *format->streams[i]->codecpar;
    if (declared.codec_type == AVMEDIA_TYPE_VIDEO) {
      CM_RETURN_IF_ERROR(CheckDeclaredSize(declared, limits));
    }
  }
  CM_RETURN_IF_ERROR(input->FindStreamInfo());

  const int stream_index =
      av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream_index < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no video stream in the '", input->format_name(), "' container (",
        format->nb_streams, " streams: audio only or empty)"));
  }
  const AVStream& stream = *format->streams[stream_index];
  const AVCodecParameters& parameters = *stream.codecpar;
  VpdqVideoHash result;
  result.container = input->format_name();
  result.codec = avcodec_get_name(parameters.codec_id);
  result.width = parameters.width;
  result.height = parameters.height;

  if (format->duration != AV_NOPTS_VALUE && format->duration > 0) {
    CM_RETURN_IF_ERROR(
        CheckDuration(static_cast<double>(format->duration) / AV_TIME_BASE,
                      "container duration", limits));
  }
  double stream_seconds = 0;
  if (stream.duration != AV_NOPTS_VALUE && stream.duration > 0) {
    stream_seconds = stream.duration * av_q2d(stream.time_base);
    CM_RETURN_IF_ERROR(
        CheckDuration(stream_seconds, "stream duration", limits));
  }
  if (stream.nb_frames > limits.max_decoded_frames) {
    return TooManyFrames(stream.nb_frames, limits);
  }
  result.fps = StreamFps(stream);
  if (!(result.fps > 0) || !std::isfinite(result.fps)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", result.codec, " stream has no frame rate"));
  }
  if (stream_seconds * result.fps > 2.0 * limits.max_decoded_frames) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "video declares ", stream_seconds, " s at ", result.fps,
        " fps, over max_decoded_frames=", limits.max_decoded_frames));
  }
  const double every_frames =
      std::min(options().seconds_per_hash * result.fps, double{INT_MAX});
  const int64_t every = std::max<int64_t>(1, static_cast<int>(every_frames));

  const FfmpegDecoder::Options decoder_options{
      .allowed_codecs = kAllowedCodecs,
      .max_width = limits.max_width,
      .max_height = limits.max_height,
      .max_pixels = limits.max_pixels,
      .threads = options().decoder_threads};
  CM_ASSIGN_OR_RETURN(std::unique_ptr<FfmpegDecoder> decoder,
                      FfmpegDecoder::Create(parameters, decoder_options));

  PassMode mode = options().keyframes_only ? PassMode::kKeyframes
                  : options().skip_unsampled_frames && every > 1
                      ? PassMode::kSkipUnsampled
                      : PassMode::kEveryFrame;
  VideoPass pass(options(), stream_index, stream.time_base, result.fps, every);
  if (mode == PassMode::kEveryFrame) {
    CM_RETURN_IF_ERROR(
        pass.Run(*input, *decoder, mode, nullptr, &result).status());
    return CheckHasFrames(std::move(result));
  }

  CM_ASSIGN_OR_RETURN(PacketScan scan, ScanPackets(*input, stream_index,
                                                   stream.time_base, limits));
  // Decode from a fresh demuxer over the same bytes; stream parameters come
  // from the first one (kept alive for `parameters`).
  CM_ASSIGN_OR_RETURN(std::unique_ptr<FfmpegMemoryInput> rescan,
                      FfmpegMemoryInput::Open(bytes, input_options));
  if (mode == PassMode::kSkipUnsampled && scan.timestamps_unique) {
    CM_ASSIGN_OR_RETURN(bool consistent,
                        pass.Run(*rescan, *decoder, mode, &scan, &result));
    if (consistent) {
      result.skipped_unsampled_frames = true;
      return CheckHasFrames(std::move(result));
    }
    // Timestamps did not identify frames: decode every frame instead.
    result.features.clear();
    CM_ASSIGN_OR_RETURN(decoder,
                        FfmpegDecoder::Create(parameters, decoder_options));
    CM_ASSIGN_OR_RETURN(rescan, FfmpegMemoryInput::Open(bytes, input_options));
    mode = PassMode::kEveryFrame;
  } else if (mode == PassMode::kSkipUnsampled) {
    mode = PassMode::kEveryFrame;
  }
  VideoPass final_pass(options(), stream_index, stream.time_base, result.fps,
                       every);
  CM_RETURN_IF_ERROR(
      final_pass.Run(*rescan, *decoder, mode, &scan, &result).status());
  return CheckHasFrames(std::move(result));
}

}  // namespace clearmatch
