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
#include <climits>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "decoders/ffmpeg_decoder.h"
#include "decoders/ffmpeg_memory_input.h"
#include "decoders/ffmpeg_packet_scan.h"
#include "decoders/ffmpeg_video_pass.h"
#include "decoders/video_limit_checks.h"

namespace clearmatch {
namespace {

using decoders_internal::CheckDuration;
using decoders_internal::FfmpegDecoder;
using decoders_internal::FfmpegMemoryInput;
using decoders_internal::FfmpegVideoPass;
using decoders_internal::PacketScan;
using decoders_internal::PassMode;
using decoders_internal::ScanPackets;
using decoders_internal::TooManyFrames;

// FFmpeg demuxer names (AVInputFormat::name) allowed for videos.
const std::vector<std::string>& AllowedFormats() {
  static const auto* formats = new std::vector<std::string>{
      "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "gif"};
  return *formats;
}

constexpr AVCodecID kAllowedCodecs[] = {
    AV_CODEC_ID_H264, AV_CODEC_ID_HEVC,  AV_CODEC_ID_VP8, AV_CODEC_ID_VP9,
    AV_CODEC_ID_AV1,  AV_CODEC_ID_MPEG4, AV_CODEC_ID_GIF};

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

bool SameFrames(const VpdqFrameVariant& a, const VpdqFrameVariant& b) {
  return a.transform == b.transform && a.trimmed == b.trimmed &&
         std::equal(a.features.begin(), a.features.end(), b.features.begin(),
                    b.features.end(),
                    [](const VpdqFeature& x, const VpdqFeature& y) {
                      return x.hash == y.hash && x.quality == y.quality;
                    });
}

// The result once its pass is over: an error when no frame was hashed; the
// trimmed variants dropped when no frame had bars, and a later reading's
// when no frame needed it (its frames are an earlier reading's).
absl::StatusOr<VpdqVideoHash> CheckHasFrames(VpdqVideoHash result) {
  if (result.features.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the ", result.codec, " stream has no decodable frame (",
                     result.decoded_frames, " frames decoded)"));
  }
  std::vector<VpdqFrameVariant> kept;
  for (VpdqFrameVariant& variant : result.variants) {
    if (variant.trimmed &&
        (result.trimmed_frames == 0 ||
         std::any_of(kept.begin(), kept.end(), [&](const auto& earlier) {
           return SameFrames(earlier, variant);
         }))) {
      continue;
    }
    kept.push_back(std::move(variant));
  }
  result.variants = std::move(kept);
  return result;
}

// Frame rate of the reference: average rate, else the base rate.
double StreamFps(const AVStream& stream) {
  for (AVRational rate : {stream.avg_frame_rate, stream.r_frame_rate}) {
    if (rate.num > 0 && rate.den > 0) return av_q2d(rate);
  }
  return 0;
}

// Checks the sizes every video stream declares, before FFmpeg decodes
// anything, then reads the stream info; the index of the best video stream.
absl::StatusOr<int> FindVideoStream(FfmpegMemoryInput& input,
                                    const VideoDecodeLimits& limits) {
  AVFormatContext* format = input.format_context();
  for (unsigned i = 0; i < format->nb_streams; ++i) {
    const AVCodecParameters& declared = *format->streams[i]->codecpar;
    if (declared.codec_type == AVMEDIA_TYPE_VIDEO) {
      CM_RETURN_IF_ERROR(CheckDeclaredSize(declared, limits));
    }
  }
  CM_RETURN_IF_ERROR(input.FindStreamInfo());
  const int stream_index =
      av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream_index < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no video stream in the '", input.format_name(), "' container (",
        format->nb_streams, " streams: audio only or empty)"));
  }
  return stream_index;
}

// The result's description of `stream` (container, codec, size, fps), once
// the durations and frame counts the headers declare are within `limits`.
absl::StatusOr<VpdqVideoHash> DescribeStream(const FfmpegMemoryInput& input,
                                             const AVStream& stream,
                                             const VideoDecodeLimits& limits) {
  const AVFormatContext* format = input.format_context();
  VpdqVideoHash result;
  result.container = input.format_name();
  result.codec = avcodec_get_name(stream.codecpar->codec_id);
  result.width = stream.codecpar->width;
  result.height = stream.codecpar->height;
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
  return result;
}

// What one Hash() call works with: the bytes, how to open and decode them,
// and the stream chosen.
struct HashJob {
  absl::Span<const uint8_t> bytes;
  const FfmpegMemoryInput::Options& input_options;
  const FfmpegDecoder::Options& decoder_options;
  const AVStream& stream;
  int stream_index;
  int64_t every;
};

// The pre-scan and the skip-unsampled or keyframe pass on fresh demuxers
// over the same bytes (falling back to every frame when the skip-unsampled
// pass finds the stream inconsistent with the scan).
absl::StatusOr<VpdqVideoHash> HashWithScan(
    const VideoFrameSampler::Options& options, const HashJob& job,
    FfmpegMemoryInput& input, std::unique_ptr<FfmpegDecoder> decoder,
    PassMode mode, VpdqVideoHash result) {
  const AVCodecParameters& parameters = *job.stream.codecpar;
  CM_ASSIGN_OR_RETURN(PacketScan scan,
                      ScanPackets(input, job.stream_index, job.stream.time_base,
                                  options.limits));
  // Decode from a fresh demuxer over the same bytes; stream parameters come
  // from the first one (kept alive for `parameters`).
  CM_ASSIGN_OR_RETURN(std::unique_ptr<FfmpegMemoryInput> rescan,
                      FfmpegMemoryInput::Open(job.bytes, job.input_options));
  if (mode == PassMode::kSkipUnsampled && scan.timestamps_unique) {
    FfmpegVideoPass pass(options, job.stream_index, job.stream.time_base,
                         result.fps, job.every);
    CM_ASSIGN_OR_RETURN(bool consistent,
                        pass.Run(*rescan, *decoder, mode, &scan, &result));
    if (consistent) {
      result.skipped_unsampled_frames = true;
      return CheckHasFrames(std::move(result));
    }
    // Timestamps did not identify frames: decode every frame instead.
    result.features.clear();
    result.variants.clear();
    result.trimmed_frames = 0;
    CM_ASSIGN_OR_RETURN(decoder,
                        FfmpegDecoder::Create(parameters, job.decoder_options));
    CM_ASSIGN_OR_RETURN(rescan,
                        FfmpegMemoryInput::Open(job.bytes, job.input_options));
    mode = PassMode::kEveryFrame;
  } else if (mode == PassMode::kSkipUnsampled) {
    mode = PassMode::kEveryFrame;
  }
  FfmpegVideoPass final_pass(options, job.stream_index, job.stream.time_base,
                             result.fps, job.every);
  CM_RETURN_IF_ERROR(
      final_pass.Run(*rescan, *decoder, mode, &scan, &result).status());
  return CheckHasFrames(std::move(result));
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
  const FfmpegMemoryInput::Options input_options{
      .allowed_formats = AllowedFormats(),
      .allowed_decoders = FfmpegDecoder::DecoderNames(kAllowedCodecs),
      .max_streams = limits.max_streams,
      .max_pixels = limits.max_pixels,
      .deadline = (options().clock ? options().clock() : absl::Now()) +
                  limits.max_wall_time,
      .clock = options().clock};
  CM_ASSIGN_OR_RETURN(std::unique_ptr<FfmpegMemoryInput> input,
                      FfmpegMemoryInput::Open(bytes, input_options));
  CM_ASSIGN_OR_RETURN(const int stream_index, FindVideoStream(*input, limits));
  const AVStream& stream = *input->format_context()->streams[stream_index];
  CM_ASSIGN_OR_RETURN(VpdqVideoHash result,
                      DescribeStream(*input, stream, limits));
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
                      FfmpegDecoder::Create(*stream.codecpar, decoder_options));

  const PassMode mode = options().keyframes_only ? PassMode::kKeyframes
                        : options().skip_unsampled_frames && every > 1
                            ? PassMode::kSkipUnsampled
                            : PassMode::kEveryFrame;
  if (mode != PassMode::kEveryFrame) {
    const HashJob job{bytes,  input_options, decoder_options,
                      stream, stream_index,  every};
    return HashWithScan(options(), job, *input, std::move(decoder), mode,
                        std::move(result));
  }
  FfmpegVideoPass pass(options(), stream_index, stream.time_base, result.fps,
                       every);
  CM_RETURN_IF_ERROR(
      pass.Run(*input, *decoder, mode, nullptr, &result).status());
  return CheckHasFrames(std::move(result));
}

}  // namespace clearmatch
