// FfmpegMemoryInput: an FFmpeg demuxer reading an upload from memory through
// a custom AVIOContext (read + seek callbacks). FFmpeg is never given a file
// name or URL: only allow-listed demuxers may open, nested opens (HLS,
// concat, image sequences) are refused by an io_open callback and an empty
// protocol allow-list, stream count and probing are bounded, and a deadline
// interrupts blocking demuxer work. Internal to decoders/.
//
//   FfmpegMemoryInput::Options options{.allowed_formats = {"matroska,webm"}};
//   CM_ASSIGN_OR_RETURN(auto input, FfmpegMemoryInput::Open(bytes, options));
//   AVFormatContext* format = input->format_context();
//
// Not thread-safe; `bytes` must outlive the object.
#ifndef CLEARMATCH_DECODERS_FFMPEG_MEMORY_INPUT_H_
#define CLEARMATCH_DECODERS_FFMPEG_MEMORY_INPUT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "decoders/ffmpeg_handles.h"

namespace clearmatch::decoders_internal {

// Silences FFmpeg's logging process-wide (messages may quote media content).
// Idempotent and thread-safe.
void SilenceFfmpegLogging();

class FfmpegMemoryInput {
 public:
  struct Options {
    // FFmpeg demuxer names (AVInputFormat::name, e.g. "mov,mp4,m4a,3gp,3g2,
    // mj2") that may open the input; anything else is INVALID_ARGUMENT.
    std::vector<std::string> allowed_formats;
    // Decoders that avformat_find_stream_info may open (comma-separated).
    std::string allowed_decoders;
    // Most streams a container may declare (FFmpeg's max_streams).
    int max_streams = 32;
    // Bytes read to probe the format and to find stream parameters.
    int64_t probe_bytes = int64_t{1} << 20;
    // Media time analysed by avformat_find_stream_info (microseconds).
    int64_t analyze_duration_us = 5'000'000;
    // Largest frame that a decoder opened by FindStreamInfo may allocate
    // (pixels).
    int64_t max_pixels = int64_t{1} << 25;
    // Demuxing past this instant fails with DEADLINE_EXCEEDED.
    absl::Time deadline = absl::InfiniteFuture();
    // The clock `deadline` is checked against; empty: absl::Now. A seam for
    // tests, which pass a fake clock to make the deadline deterministic.
    std::function<absl::Time()> clock = nullptr;
  };

  // Opens `bytes`. INVALID_ARGUMENT for empty input, an unknown or refused
  // container (named) or a malformed one; RESOURCE_EXHAUSTED when a demuxer
  // limit (max_streams) was hit; DEADLINE_EXCEEDED past the deadline.
  static absl::StatusOr<std::unique_ptr<FfmpegMemoryInput>> Open(
      absl::Span<const uint8_t> bytes, const Options& options);

  FfmpegMemoryInput(const FfmpegMemoryInput&) = delete;
  FfmpegMemoryInput& operator=(const FfmpegMemoryInput&) = delete;

  // avformat_find_stream_info (frame rates, decoder parameters), which
  // decodes a few frames with single-threaded, max_pixels-bounded decoders.
  // Check the stream parameters read from the header before calling it.
  absl::Status FindStreamInfo();

  AVFormatContext* format_context() const { return format_.get(); }
  // Short demuxer name ("mov,mp4,..." -> "mov").
  std::string format_name() const;
  bool deadline_exceeded() const { return deadline_exceeded_; }
  // Nested opens FFmpeg attempted (all refused).
  int refused_opens() const { return refused_opens_; }

  // DEADLINE_EXCEEDED if the deadline passed, otherwise `status` unchanged.
  absl::Status DeadlineOr(absl::Status status) const;

 private:
  FfmpegMemoryInput(absl::Span<const uint8_t> bytes, absl::Time deadline,
                    std::function<absl::Time()> clock)
      : bytes_(bytes), deadline_(deadline), clock_(std::move(clock)) {}

  absl::Time Now() const { return clock_ ? clock_() : absl::Now(); }

  static int Read(void* opaque, uint8_t* buffer, int size);
  static int64_t Seek(void* opaque, int64_t offset, int whence);
  static int Interrupt(void* opaque);
  static int RefuseOpen(AVFormatContext* context, AVIOContext** pb,
                        const char* url, int flags, AVDictionary** options);

  const absl::Span<const uint8_t> bytes_;
  const absl::Time deadline_;
  const std::function<absl::Time()> clock_;
  int64_t max_pixels_ = 0;
  int64_t position_ = 0;
  bool deadline_exceeded_ = false;
  int refused_opens_ = 0;
  // Declared before format_: the format context is closed first.
  AvIoContextPtr io_;
  AvFormatContextPtr format_;
};

// FFmpeg error code as text.
std::string AvErrorString(int error);

}  // namespace clearmatch::decoders_internal

#endif  // CLEARMATCH_DECODERS_FFMPEG_MEMORY_INPUT_H_
