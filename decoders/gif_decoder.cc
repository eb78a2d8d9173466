// First frame of a GIF through FFmpeg's gif demuxer and decoder, read from
// memory with the same allow-listed machinery as videos.
#include "decoders/gif_decoder.h"

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "decoders/ffmpeg_decoder.h"
#include "decoders/ffmpeg_handles.h"
#include "decoders/ffmpeg_memory_input.h"

namespace clearmatch {
namespace {

using decoders_internal::AvFramePtr;
using decoders_internal::AvPacketPtr;
using decoders_internal::FfmpegDecoder;
using decoders_internal::FfmpegMemoryInput;
using decoders_internal::SwsContextPtr;

constexpr AVCodecID kGifCodec[] = {AV_CODEC_ID_GIF};
// A GIF's first frame decodes in milliseconds; this only stops pathological
// inputs (e.g. thousands of empty extension blocks).
constexpr absl::Duration kGifWallTime = absl::Seconds(10);

absl::Status CheckSize(int width, int height, const ImageDecodeLimits& limits,
                       const char* what) {
  if (width <= 0 || height <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("GIF ", what, " has no valid size: ", width, "x", height));
  }
  if (width > limits.max_side || height > limits.max_side) {
    return absl::ResourceExhaustedError(
        absl::StrCat("GIF ", what, " is ", width, "x", height,
                     ", over max_side=", limits.max_side));
  }
  if (int64_t{width} * height > limits.max_pixels) {
    return absl::ResourceExhaustedError(
        absl::StrCat("GIF ", what, " is ", width, "x", height, " = ",
                     int64_t{width} * height,
                     " pixels, over max_pixels=", limits.max_pixels));
  }
  return absl::OkStatus();
}

// The logical screen size of the GIF header ("GIF87a"/"GIF89a", then
// little-endian 16-bit width and height).
absl::Status CheckHeader(absl::Span<const uint8_t> bytes,
                         const ImageDecodeLimits& limits) {
  if (bytes.size() < 13 ||
      std::string_view(reinterpret_cast<const char*>(bytes.data()), 3) !=
          "GIF") {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a GIF (", bytes.size(), " bytes; needs a 13-byte header)"));
  }
  return CheckSize(bytes[6] | bytes[7] << 8, bytes[8] | bytes[9] << 8, limits,
                   "logical screen");
}

}  // namespace

absl::StatusOr<DecodedImage> DecodeGifFirstFrame(
    absl::Span<const uint8_t> bytes, const ImageDecodeLimits& limits) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "GIF is ", bytes.size(), " bytes, over max_bytes=", limits.max_bytes));
  }
  CM_RETURN_IF_ERROR(CheckHeader(bytes, limits));
  CM_ASSIGN_OR_RETURN(
      std::unique_ptr<FfmpegMemoryInput> input,
      FfmpegMemoryInput::Open(
          bytes, {.allowed_formats = {"gif"},
                  .allowed_decoders = FfmpegDecoder::DecoderNames(kGifCodec),
                  .max_streams = 1,
                  .max_pixels = limits.max_pixels,
                  .deadline = absl::Now() + kGifWallTime}));
  AVFormatContext* format = input->format_context();
  if (format->nb_streams != 1) {
    return absl::InvalidArgumentError("GIF has no image stream");
  }
  const int64_t max_side = limits.max_side;
  CM_ASSIGN_OR_RETURN(
      std::unique_ptr<FfmpegDecoder> decoder,
      FfmpegDecoder::Create(*format->streams[0]->codecpar,
                            {.allowed_codecs = kGifCodec,
                             .max_width = static_cast<int>(max_side),
                             .max_height = static_cast<int>(max_side),
                             .max_pixels = limits.max_pixels,
                             .threads = 1}));

  AvPacketPtr packet(av_packet_alloc());
  AvFramePtr frame(av_frame_alloc());
  if (packet == nullptr || frame == nullptr) {
    return absl::ResourceExhaustedError("cannot allocate an AVFrame");
  }
  bool got = false;
  bool flushed = false;
  while (!got && !flushed) {
    const int read = av_read_frame(format, packet.get());
    if (read < 0) {
      CM_RETURN_IF_ERROR(input->DeadlineOr(absl::OkStatus()));
      CM_RETURN_IF_ERROR(decoder->Send(nullptr));
      flushed = true;
    } else {
      absl::Status sent = decoder->Send(packet.get());
      av_packet_unref(packet.get());
      CM_RETURN_IF_ERROR(sent);
    }
    CM_ASSIGN_OR_RETURN(got, decoder->Receive(frame.get()));
    CM_RETURN_IF_ERROR(input->DeadlineOr(absl::OkStatus()));
  }
  if (!got) {
    return absl::InvalidArgumentError(
        absl::StrCat("GIF has no decodable frame (", bytes.size(), " bytes)"));
  }
  const int width = frame->width, height = frame->height;
  CM_RETURN_IF_ERROR(CheckSize(width, height, limits, "frame"));

  SwsContextPtr sws(sws_getContext(
      width, height, static_cast<AVPixelFormat>(frame->format), width, height,
      AV_PIX_FMT_BGR24, SWS_POINT, nullptr, nullptr, nullptr));
  if (sws == nullptr) {
    return absl::InvalidArgumentError("GIF frame has an unconvertible format");
  }
  // swscale's SIMD writers want aligned rows and may write a little past
  // the last row's end.
  const int stride = FFALIGN(width * 3, 64);
  auto pixels = std::make_shared<std::vector<uint8_t>>(
      static_cast<size_t>(stride) * height + 64);
  uint8_t* planes[4] = {pixels->data(), nullptr, nullptr, nullptr};
  int strides[4] = {stride, 0, 0, 0};
  sws_scale(sws.get(), frame->data, frame->linesize, 0, height, planes,
            strides);
  const PixelView view{.data = pixels->data(),
                       .width = width,
                       .height = height,
                       .stride = static_cast<size_t>(stride),
                       .format = PixelFormat::kBgr};
  return DecodedImage(std::move(pixels), view, width, height);
}

}  // namespace clearmatch
