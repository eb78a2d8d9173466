// Allow-listed, size-bounded FFmpeg decoding (see ffmpeg_decoder.h).
#include "decoders/ffmpeg_decoder.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "decoders/ffmpeg_memory_input.h"

namespace clearmatch::decoders_internal {
namespace {

// The one decoder used for each allowed codec.
const char* DecoderFor(AVCodecID codec) {
  switch (codec) {
    case AV_CODEC_ID_H264:
      return "h264";
    case AV_CODEC_ID_HEVC:
      return "hevc";
    case AV_CODEC_ID_VP8:
      return "vp8";
    case AV_CODEC_ID_VP9:
      return "vp9";
    case AV_CODEC_ID_AV1:
      return "libdav1d";
    case AV_CODEC_ID_MPEG4:
      return "mpeg4";
    case AV_CODEC_ID_GIF:
      return "gif";
    default:
      return nullptr;
  }
}

}  // namespace

std::string FfmpegDecoder::DecoderNames(absl::Span<const AVCodecID> codecs) {
  std::vector<std::string> names;
  for (AVCodecID codec : codecs) {
    if (const char* name = DecoderFor(codec)) names.push_back(name);
  }
  return absl::StrJoin(names, ",");
}

absl::Status FfmpegDecoder::CheckSize(int width, int height,
                                      const char* what) const {
  if (width <= 0 || height <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        codec_name_, " ", what, " has no valid size: ", width, "x", height));
  }
  if (width > options_.max_width || height > options_.max_height) {
    return absl::ResourceExhaustedError(absl::StrCat(
        codec_name_, " ", what, " is ", width, "x", height,
        ", over the limit max_width x max_height = ", options_.max_width, "x",
        options_.max_height));
  }
  if (int64_t{width} * height > options_.max_pixels) {
    return absl::ResourceExhaustedError(
        absl::StrCat(codec_name_, " ", what, " is ", width, "x", height, " = ",
                     int64_t{width} * height,
                     " pixels, over max_pixels=", options_.max_pixels));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FfmpegDecoder>> FfmpegDecoder::Create(
    const AVCodecParameters& parameters, const Options& options) {
  const std::string codec_name = avcodec_get_name(parameters.codec_id);
  const bool allowed =
      std::find(options.allowed_codecs.begin(), options.allowed_codecs.end(),
                parameters.codec_id) != options.allowed_codecs.end();
  const char* decoder_name = DecoderFor(parameters.codec_id);
  if (!allowed || decoder_name == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("video codec '", codec_name, "' is not allowed"));
  }
  const AVCodec* codec = avcodec_find_decoder_by_name(decoder_name);
  if (codec == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no decoder '", decoder_name, "' for codec '", codec_name, "'"));
  }
  std::unique_ptr<FfmpegDecoder> decoder(
      new FfmpegDecoder(options, codec_name));
  absl::Status size =
      decoder->CheckSize(parameters.width, parameters.height, "stream header");
  if (!size.ok()) return size;

  decoder->context_.reset(avcodec_alloc_context3(codec));
  AVCodecContext* context = decoder->context_.get();
  if (context == nullptr) {
    return absl::ResourceExhaustedError("avcodec_alloc_context3 failed");
  }
  const int copied = avcodec_parameters_to_context(context, &parameters);
  if (copied < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad ", codec_name, " stream parameters: ", AvErrorString(copied)));
  }
  context->opaque = decoder.get();
  context->get_buffer2 = &GetBuffer;
  context->max_pixels = options.max_pixels;
  context->thread_count = std::max(1, options.threads);
  context->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  const int opened = avcodec_open2(context, codec, nullptr);
  if (opened < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot open the ", codec_name, " decoder: ", AvErrorString(opened)));
  }
  return decoder;
}

int FfmpegDecoder::GetBuffer(AVCodecContext* context, AVFrame* frame,
                             int flags) {
  auto* self = static_cast<FfmpegDecoder*>(context->opaque);
  absl::Status size = self->CheckSize(frame->width, frame->height, "frame");
  if (!size.ok()) {
    absl::MutexLock lock(&self->mutex_);
    if (self->refused_frame_.empty()) {
      self->refused_frame_ = std::string(size.message());
    }
    return AVERROR(EINVAL);
  }
  return avcodec_default_get_buffer2(context, frame, flags);
}

absl::Status FfmpegDecoder::LimitStatus() const {
  absl::MutexLock lock(&mutex_);
  if (refused_frame_.empty()) return absl::OkStatus();
  return absl::ResourceExhaustedError(refused_frame_);
}

absl::Status FfmpegDecoder::Send(const AVPacket* packet) {
  const int sent = avcodec_send_packet(context_.get(), packet);
  if (absl::Status limit = LimitStatus(); !limit.ok()) return limit;
  if (sent == AVERROR(ENOMEM)) {
    return absl::ResourceExhaustedError(
        absl::StrCat(codec_name_, " decoder ran out of memory"));
  }
  // Other errors (corrupt packet) drop that packet, as the reference does.
  if (sent < 0) ++decode_errors_;
  return absl::OkStatus();
}

absl::StatusOr<bool> FfmpegDecoder::Receive(AVFrame* frame) {
  const int received = avcodec_receive_frame(context_.get(), frame);
  if (absl::Status limit = LimitStatus(); !limit.ok()) return limit;
  if (received == AVERROR(EAGAIN) || received == AVERROR_EOF) return false;
  if (received < 0) {
    if (received == AVERROR(ENOMEM)) {
      return absl::ResourceExhaustedError(
          absl::StrCat(codec_name_, " decoder ran out of memory"));
    }
    // A frame that failed to decode: nothing to output now.
    ++decode_errors_;
    return false;
  }
  absl::Status size = CheckSize(frame->width, frame->height, "frame");
  if (!size.ok()) return size;
  return true;
}

}  // namespace clearmatch::decoders_internal
