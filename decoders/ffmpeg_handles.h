// RAII owners for FFmpeg's C handles (AVFormatContext, AVIOContext,
// AVCodecContext, AVFrame, AVPacket, SwsContext), so every handle is owned
// from the line that creates it. Internal to decoders/.
#ifndef CLEARMATCH_DECODERS_FFMPEG_HANDLES_H_
#define CLEARMATCH_DECODERS_FFMPEG_HANDLES_H_

#include <memory>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

namespace clearmatch::decoders_internal {

struct AvFormatContextDeleter {
  // For contexts opened with avformat_open_input (closes and frees).
  void operator()(AVFormatContext* context) const {
    avformat_close_input(&context);
  }
};
struct AvIoContextDeleter {
  // Frees the context and its current buffer (which FFmpeg may have
  // reallocated, so the buffer is never owned separately).
  void operator()(AVIOContext* context) const {
    if (context != nullptr) av_freep(&context->buffer);
    avio_context_free(&context);
  }
};
struct AvCodecContextDeleter {
  void operator()(AVCodecContext* context) const {
    avcodec_free_context(&context);
  }
};
struct AvFrameDeleter {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct AvPacketDeleter {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct SwsContextDeleter {
  void operator()(SwsContext* context) const { sws_freeContext(context); }
};
struct AvDictionaryDeleter {
  void operator()(AVDictionary* dictionary) const { av_dict_free(&dictionary); }
};

using AvFormatContextPtr =
    std::unique_ptr<AVFormatContext, AvFormatContextDeleter>;
using AvIoContextPtr = std::unique_ptr<AVIOContext, AvIoContextDeleter>;
using AvCodecContextPtr =
    std::unique_ptr<AVCodecContext, AvCodecContextDeleter>;
using AvFramePtr = std::unique_ptr<AVFrame, AvFrameDeleter>;
using AvPacketPtr = std::unique_ptr<AVPacket, AvPacketDeleter>;
using SwsContextPtr = std::unique_ptr<SwsContext, SwsContextDeleter>;

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_FFMPEG_HANDLES_H_
