// In-memory FFmpeg demuxing with allow-lists (see ffmpeg_memory_input.h).
#include "decoders/ffmpeg_memory_input.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
}

namespace clearmatch::decoders_internal {
namespace {

constexpr int kIoBufferSize = 64 * 1024;

void DropLogMessage(void*, int, const char*, va_list) {}

}  // namespace

void SilenceFfmpegLogging() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_log_set_level(AV_LOG_QUIET);
    av_log_set_callback(DropLogMessage);
  });
}

std::string AvErrorString(int error) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(error, text, sizeof(text));
  return text;
}

int FfmpegMemoryInput::Read(void* opaque, uint8_t* buffer, int size) {
  auto* self = static_cast<FfmpegMemoryInput*>(opaque);
  if (Interrupt(self)) return AVERROR_EXIT;
  const int64_t remaining =
      static_cast<int64_t>(self->bytes_.size()) - self->position_;
  if (remaining <= 0) return AVERROR_EOF;
  const int n = static_cast<int>(std::min<int64_t>(size, remaining));
  std::memcpy(buffer, self->bytes_.data() + self->position_, n);
  self->position_ += n;
  return n;
}

int64_t FfmpegMemoryInput::Seek(void* opaque, int64_t offset, int whence) {
  auto* self = static_cast<FfmpegMemoryInput*>(opaque);
  const int64_t size = static_cast<int64_t>(self->bytes_.size());
  int64_t target;
  switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
      return size;
    case SEEK_SET:
      target = offset;
      break;
    case SEEK_CUR:
      target = self->position_ + offset;
      break;
    case SEEK_END:
      target = size + offset;
      break;
    default:
      return AVERROR(EINVAL);
  }
  if (target < 0 || target > size) return AVERROR(EINVAL);
  self->position_ = target;
  return target;
}

int FfmpegMemoryInput::Interrupt(void* opaque) {
  auto* self = static_cast<FfmpegMemoryInput*>(opaque);
  if (!self->deadline_exceeded_ && self->Now() > self->deadline_) {
    self->deadline_exceeded_ = true;
  }
  return self->deadline_exceeded_ ? 1 : 0;
}

int FfmpegMemoryInput::RefuseOpen(AVFormatContext* context, AVIOContext**,
                                  const char*, int, AVDictionary**) {
  auto* self =
      static_cast<FfmpegMemoryInput*>(context->interrupt_callback.opaque);
  ++self->refused_opens_;
  return AVERROR(EPERM);
}

std::string FfmpegMemoryInput::format_name() const {
  if (format_ == nullptr || format_->iformat == nullptr) return "unknown";
  std::string name = format_->iformat->name;
  return name.substr(0, name.find(','));
}

absl::Status FfmpegMemoryInput::DeadlineOr(absl::Status status) const {
  if (deadline_exceeded_ || Now() > deadline_) {
    return absl::DeadlineExceededError(
        absl::StrCat("demuxing exceeded the wall-time budget (",
                     absl::FormatTime(deadline_), ")"));
  }
  return status;
}

absl::StatusOr<std::unique_ptr<FfmpegMemoryInput>> FfmpegMemoryInput::Open(
    absl::Span<const uint8_t> bytes, const Options& options) {
  SilenceFfmpegLogging();
  if (bytes.empty()) return absl::InvalidArgumentError("empty input (0 bytes)");
  std::unique_ptr<FfmpegMemoryInput> input(
      new FfmpegMemoryInput(bytes, options.deadline, options.clock));

  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferSize));
  if (buffer == nullptr)
    return absl::ResourceExhaustedError("av_malloc failed");
  input->io_.reset(avio_alloc_context(buffer, kIoBufferSize, /*write_flag=*/0,
                                      input.get(), &Read, nullptr, &Seek));
  if (input->io_ == nullptr) {
    av_free(buffer);
    return absl::ResourceExhaustedError("avio_alloc_context failed");
  }

  // Probe first so that a refused container is named in the error and never
  // reaches its read_header.
  const AVInputFormat* probed = nullptr;
  const int score = av_probe_input_buffer2(
      input->io_.get(), &probed, "", nullptr, 0,
      static_cast<unsigned>(std::min<int64_t>(options.probe_bytes, 1 << 30)));
  if (score < 0 || probed == nullptr) {
    return input->DeadlineOr(absl::InvalidArgumentError(
        absl::StrCat("unrecognised container (", bytes.size(),
                     " bytes): ", AvErrorString(score))));
  }
  const bool allowed =
      std::find(options.allowed_formats.begin(), options.allowed_formats.end(),
                probed->name) != options.allowed_formats.end();
  if (!allowed) {
    return absl::InvalidArgumentError(
        absl::StrCat("container '", probed->name, "' is not allowed"));
  }

  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) {
    return absl::ResourceExhaustedError("avformat_alloc_context failed");
  }
  raw->pb = input->io_.get();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  raw->interrupt_callback = {&Interrupt, input.get()};
  raw->io_open = &RefuseOpen;
  raw->max_streams = options.max_streams;
  raw->probesize = options.probe_bytes;
  raw->max_analyze_duration = options.analyze_duration_us;
  raw->format_whitelist = av_strdup(probed->name);
  raw->protocol_whitelist = av_strdup("none");
  raw->codec_whitelist = av_strdup(options.allowed_decoders.c_str());
  // On failure avformat_open_input frees the context (not our AVIOContext).
  const int opened = avformat_open_input(&raw, "", probed, nullptr);
  if (opened < 0) {
    const std::string format = probed->name;
    if (opened == AVERROR(ENOMEM)) {
      return input->DeadlineOr(absl::ResourceExhaustedError(
          absl::StrCat("container '", format,
                       "' hit a demuxer limit while reading its "
                       "header (more than max_streams=",
                       options.max_streams,
                       " streams, or too large): ", AvErrorString(opened))));
    }
    return input->DeadlineOr(absl::InvalidArgumentError(
        absl::StrCat("malformed '", format, "' container (", bytes.size(),
                     " bytes): ", AvErrorString(opened))));
  }
  input->format_.reset(raw);

  input->max_pixels_ = options.max_pixels;
  if (input->deadline_exceeded_) return input->DeadlineOr(absl::OkStatus());
  return input;
}

absl::Status FfmpegMemoryInput::FindStreamInfo() {
  AVFormatContext* format = format_.get();
  std::vector<AVDictionary*> stream_options(format->nb_streams, nullptr);
  for (AVDictionary*& dict : stream_options) {
    av_dict_set(&dict, "threads", "1", 0);
    av_dict_set_int(&dict, "max_pixels", max_pixels_, 0);
  }
  const int found = avformat_find_stream_info(format, stream_options.data());
  for (AVDictionary*& dict : stream_options) av_dict_free(&dict);
  if (found < 0) {
    return DeadlineOr(absl::InvalidArgumentError(
        absl::StrCat("cannot read the streams of the '", format_name(),
                     "' container: ", AvErrorString(found))));
  }
  return DeadlineOr(absl::OkStatus());
}

}  // namespace clearmatch::decoders_internal
