// Magic-byte format identification (see media_sniffer.h).
#include "decoders/media_sniffer.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include "decoders/byte_order.h"

namespace clearmatch {
namespace {

bool HasAt(absl::Span<const uint8_t> bytes, size_t offset,
           std::string_view magic) {
  return bytes.size() >= offset + magic.size() &&
         std::memcmp(bytes.data() + offset, magic.data(), magic.size()) == 0;
}

// ISO BMFF brands of still images and image sequences (HEIF, AVIF).
bool IsImageBrand(const uint8_t* brand) {
  static constexpr std::array<std::string_view, 7> kImageBrands = {
      "heic", "heix", "hevc", "mif1", "msf1", "avif", "avis"};
  return std::any_of(kImageBrands.begin(), kImageBrands.end(),
                     [brand](std::string_view b) {
                       return std::memcmp(brand, b.data(), 4) == 0;
                     });
}

// `bytes` starts with an 'ftyp' box: HEIF/AVIF when the major brand or any
// compatible brand is an image brand, else an MP4/QuickTime video.
MediaFormat SniffFtyp(absl::Span<const uint8_t> bytes) {
  // Brands are read within the box, the bytes we have, and the first 64
  // compatible brands (real 'ftyp' boxes list a handful).
  constexpr size_t kMaxFtypBytes = 16 + 4 * 64;
  const size_t box_size = decoders_internal::ReadBe32(bytes.data());
  const size_t end = std::min({bytes.size(), size_t{box_size}, kMaxFtypBytes});
  if (IsImageBrand(bytes.data() + 8)) return MediaFormat::kHeif;
  // Compatible brands follow the major brand (8) and minor version (12).
  for (size_t offset = 16; offset + 4 <= end; offset += 4) {
    if (IsImageBrand(bytes.data() + offset)) return MediaFormat::kHeif;
  }
  return MediaFormat::kMp4;
}

}  // namespace

std::string_view MediaFormatName(MediaFormat format) {
  switch (format) {
    case MediaFormat::kUnknown:
      return "unknown";
    case MediaFormat::kJpeg:
      return "jpeg";
    case MediaFormat::kPng:
      return "png";
    case MediaFormat::kWebp:
      return "webp";
    case MediaFormat::kGif:
      return "gif";
    case MediaFormat::kMp4:
      return "mp4";
    case MediaFormat::kMatroska:
      return "matroska";
    case MediaFormat::kBmp:
      return "bmp";
    case MediaFormat::kTiff:
      return "tiff";
    case MediaFormat::kOpenExr:
      return "openexr";
    case MediaFormat::kHeif:
      return "heif";
    case MediaFormat::kPdf:
      return "pdf";
    case MediaFormat::kOtherRefused:
      return "refused";
  }
  return "unknown";
}

MediaFormat SniffMediaFormat(absl::Span<const uint8_t> bytes) {
  if (HasAt(bytes, 0, "\xFF\xD8\xFF")) return MediaFormat::kJpeg;
  if (HasAt(bytes, 0, "\x89PNG\r\n\x1A\n")) return MediaFormat::kPng;
  if (HasAt(bytes, 0, "RIFF") && HasAt(bytes, 8, "WEBP")) {
    return MediaFormat::kWebp;
  }
  if (HasAt(bytes, 0, "GIF87a") || HasAt(bytes, 0, "GIF89a")) {
    return MediaFormat::kGif;
  }
  if (HasAt(bytes, 0, "\x1A\x45\xDF\xA3")) return MediaFormat::kMatroska;
  if (HasAt(bytes, 4, "ftyp") && bytes.size() >= 12) return SniffFtyp(bytes);
  // QuickTime files may start with a box other than 'ftyp'.
  for (std::string_view box : {"moov", "mdat", "wide", "free", "skip"}) {
    if (HasAt(bytes, 4, box)) return MediaFormat::kMp4;
  }
  if (HasAt(bytes, 0, "%PDF")) return MediaFormat::kPdf;
  if (HasAt(bytes, 0, std::string_view("II*\0", 4)) ||
      HasAt(bytes, 0, std::string_view("MM\0*", 4))) {
    return MediaFormat::kTiff;
  }
  if (HasAt(bytes, 0, "\x76\x2F\x31\x01")) return MediaFormat::kOpenExr;
  if (HasAt(bytes, 0, "BM")) return MediaFormat::kBmp;
  return MediaFormat::kUnknown;
}

bool IsAllowedImage(MediaFormat format) {
  return format == MediaFormat::kJpeg || format == MediaFormat::kPng ||
         format == MediaFormat::kWebp || format == MediaFormat::kGif;
}

bool IsAllowedVideo(MediaFormat format) {
  return format == MediaFormat::kMp4 || format == MediaFormat::kMatroska;
}

}  // namespace clearmatch
