// FfmpegDecoder: an allow-listed FFmpeg video decoder whose frame size is
// bounded twice: on the stream parameters before opening, and in the
// get_buffer2 callback on every frame the bitstream asks for, before any
// pixel buffer is allocated (containers lie; an SPS may claim 16000x16000).
// Internal to decoders/.
//
//   CM_ASSIGN_OR_RETURN(auto decoder, FfmpegDecoder::Create(*par, options));
//   CM_RETURN_IF_ERROR(decoder->Send(packet));
//   while (true) {
//     CM_ASSIGN_OR_RETURN(bool got, decoder->Receive(frame));
//     if (!got) break;
//     ...
//   }
//
// Not thread-safe (the get_buffer2 bookkeeping is, as FFmpeg's frame threads
// may call it concurrently).
#ifndef CLEARMATCH_DECODERS_FFMPEG_DECODER_H_
#define CLEARMATCH_DECODERS_FFMPEG_DECODER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "decoders/ffmpeg_handles.h"

namespace clearmatch::decoders_internal {

class FfmpegDecoder {
 public:
  struct Options {
    // Codecs that may be decoded; each maps to one FFmpeg decoder (H.264 ->
    // "h264", AV1 -> "libdav1d", ...). Others are INVALID_ARGUMENT.
    absl::Span<const AVCodecID> allowed_codecs;
    int max_width = 0;
    int max_height = 0;
    int64_t max_pixels = 0;
    // Decoder threads (FFmpeg frame + slice threading); >= 1.
    int threads = 1;
  };

  // INVALID_ARGUMENT for a codec outside the allow-list or without a
  // decoder (named), RESOURCE_EXHAUSTED when the stream's declared size is
  // over a limit.
  static absl::StatusOr<std::unique_ptr<FfmpegDecoder>> Create(
      const AVCodecParameters& parameters, const Options& options);

  // The decoders behind the allow-list, comma-separated, for
  // AVFormatContext::codec_whitelist.
  static std::string DecoderNames(absl::Span<const AVCodecID> codecs);

  // Sends one packet (nullptr: end of stream). Decoding errors of single
  // packets are tolerated, as the reference does; limit violations are not.
  absl::Status Send(const AVPacket* packet);
  // Next decoded frame into `frame`: true, or false when the decoder needs
  // more input or is drained. RESOURCE_EXHAUSTED for an oversized frame.
  absl::StatusOr<bool> Receive(AVFrame* frame);

  // Frames with these flags are dropped by FFmpeg before decoding
  // (AVDISCARD_DEFAULT, _NONREF, _NONKEY); applies to the next Send.
  void set_skip_frame(AVDiscard discard) { context_->skip_frame = discard; }
  const std::string& codec_name() const { return codec_name_; }
  // Packets or frames the decoder reported as undecodable so far.
  int64_t decode_errors() const { return decode_errors_; }

 private:
  FfmpegDecoder(const Options& options, std::string codec_name)
      : options_(options), codec_name_(std::move(codec_name)) {}

  static int GetBuffer(AVCodecContext* context, AVFrame* frame, int flags);
  absl::Status CheckSize(int width, int height, const char* what) const;
  absl::Status LimitStatus() const;

  const Options options_;
  const std::string codec_name_;
  AvCodecContextPtr context_;
  int64_t decode_errors_ = 0;
  mutable absl::Mutex mutex_;
  // Set by GetBuffer when a frame over the limits was refused.
  std::string refused_frame_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_FFMPEG_DECODER_H_
