// MediaSniffer: identifies an upload's format from its magic bytes only
// (never from a file name or a declared content type).
//
//   MediaFormat format = SniffMediaFormat(bytes);
//   if (!IsAllowedImage(format) && !IsAllowedVideo(format)) refuse...
#ifndef CLEARMATCH_DECODERS_MEDIA_SNIFFER_H_
#define CLEARMATCH_DECODERS_MEDIA_SNIFFER_H_

#include <cstdint>
#include <string_view>

#include "absl/types/span.h"

namespace clearmatch {

enum class MediaFormat {
  kUnknown,
  // Allowed images.
  kJpeg,
  kPng,
  kWebp,
  kGif,
  // Allowed video containers.
  kMp4,       // ISO BMFF / QuickTime (ftyp, moov, mdat ... boxes)
  kMatroska,  // Matroska and WebM (EBML header)
  // Recognised but refused (named in errors so callers know why).
  kBmp,
  kTiff,
  kOpenExr,
  kHeif,  // ISO BMFF with an image brand (heic, heix, mif1, avif ...)
  kPdf,
  kOtherRefused,
};

// Short lowercase name for messages and JSON ("jpeg", "mp4", "tiff"...).
std::string_view MediaFormatName(MediaFormat format);

MediaFormat SniffMediaFormat(absl::Span<const uint8_t> bytes);

bool IsAllowedImage(MediaFormat format);
bool IsAllowedVideo(MediaFormat format);

}  // namespace clearmatch

#endif  // CLEARMATCH_DECODERS_MEDIA_SNIFFER_H_
