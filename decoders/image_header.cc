// Header parsers for JPEG, PNG, WebP and GIF dimensions (see image_header.h).
#include "decoders/image_header.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "decoders/byte_order.h"
#include "decoders/media_sniffer.h"

namespace clearmatch {
namespace {

using decoders_internal::ReadBe16;
using decoders_internal::ReadBe32;
using decoders_internal::ReadLe16;
using decoders_internal::ReadLe24;
using decoders_internal::ReadLe32;

absl::Status Malformed(absl::string_view format, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(format, ": ", problem));
}

std::string FourCc(const uint8_t* p) {
  return absl::CHexEscape(
      absl::string_view(reinterpret_cast<const char*>(p), 4));
}

absl::StatusOr<ImageHeaderInfo> Checked(absl::string_view format, int64_t width,
                                        int64_t height) {
  if (width <= 0 || height <= 0) {
    return Malformed(format, absl::StrCat("zero dimension in header (", width,
                                          "x", height, ")"));
  }
  return ImageHeaderInfo{static_cast<int>(width), static_cast<int>(height)};
}

bool IsStartOfFrame(uint8_t marker) {
  // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
         marker != 0xCC;
}

// Walks the marker segments after SOI to the first SOFn.
absl::StatusOr<ImageHeaderInfo> ReadJpegHeader(absl::Span<const uint8_t> b) {
  size_t pos = 2;
  while (true) {
    if (pos >= b.size()) return Malformed("jpeg", "truncated before SOF");
    if (b[pos] != 0xFF) {
      return Malformed("jpeg", absl::StrCat("expected a marker at offset ", pos,
                                            ", found byte ", b[pos]));
    }
    while (pos < b.size() && b[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= b.size()) return Malformed("jpeg", "truncated before SOF");
    const uint8_t marker = b[pos++];
    if (marker == 0xD8 || marker == 0x01 ||
        (marker >= 0xD0 && marker <= 0xD7)) {
      continue;  // no length field
    }
    if (marker == 0xD9 || marker == 0xDA) {
      return Malformed("jpeg", absl::StrCat("marker 0x", absl::Hex(marker),
                                            " before any SOF"));
    }
    if (pos + 2 > b.size()) return Malformed("jpeg", "truncated before SOF");
    const size_t length = ReadBe16(&b[pos]);
    if (length < 2 || pos + length > b.size()) {
      return Malformed(
          "jpeg",
          absl::StrCat("segment 0x", absl::Hex(marker), " at offset ", pos - 2,
                       " has length ", length, " past the end of the data"));
    }
    if (IsStartOfFrame(marker)) {
      // length(2) precision(1) height(2) width(2) components(1).
      if (length < 8) {
        return Malformed("jpeg",
                         absl::StrCat("SOF length ", length, " is too short"));
      }
      return Checked("jpeg", ReadBe16(&b[pos + 5]), ReadBe16(&b[pos + 3]));
    }
    pos += length;
  }
}

absl::StatusOr<ImageHeaderInfo> ReadPngHeader(absl::Span<const uint8_t> b) {
  // Signature(8), IHDR length(4) type(4) width(4) height(4) ...
  if (b.size() < 24) return Malformed("png", "truncated before IHDR");
  if (ReadBe32(&b[8]) != 13 || !std::equal(&b[12], &b[16], "IHDR")) {
    return Malformed(
        "png", absl::StrCat("first chunk is '", FourCc(&b[12]), "' of length ",
                            ReadBe32(&b[8]), ", expected IHDR of length 13"));
  }
  const uint32_t width = ReadBe32(&b[16]);
  const uint32_t height = ReadBe32(&b[20]);
  constexpr uint32_t kMaxPngDimension = 0x7FFFFFFF;  // PNG spec: 2^31 - 1
  if (width > kMaxPngDimension || height > kMaxPngDimension) {
    return Malformed("png", absl::StrCat("dimensions ", width, "x", height,
                                         " exceed 2^31-1"));
  }
  return Checked("png", width, height);
}

absl::StatusOr<ImageHeaderInfo> ReadWebpHeader(absl::Span<const uint8_t> b) {
  // RIFF size WEBP, then the first chunk: fourcc(4) size(4) data.
  constexpr size_t kData = 20;
  if (b.size() < kData) return Malformed("webp", "truncated before VP8 chunk");
  const std::string_view fourcc(reinterpret_cast<const char*>(&b[12]), 4);
  if (fourcc == "VP8 ") {
    // Frame tag(3), start code 9D 01 2A, 14-bit width, 14-bit height.
    if (b.size() < kData + 10) return Malformed("webp", "truncated VP8 header");
    if (b[kData + 3] != 0x9D || b[kData + 4] != 0x01 || b[kData + 5] != 0x2A) {
      return Malformed("webp", "bad VP8 start code");
    }
    return Checked("webp", ReadLe16(&b[kData + 6]) & 0x3FFF,
                   ReadLe16(&b[kData + 8]) & 0x3FFF);
  }
  if (fourcc == "VP8L") {
    // Signature 0x2F, then 14 bits width-1 and 14 bits height-1.
    if (b.size() < kData + 5) return Malformed("webp", "truncated VP8L header");
    if (b[kData] != 0x2F) return Malformed("webp", "bad VP8L signature");
    const uint32_t bits = ReadLe32(&b[kData + 1]);
    return Checked("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
  }
  if (fourcc == "VP8X") {
    // Flags(1) reserved(3) canvas width-1 (24 bits) canvas height-1 (24 bits).
    if (b.size() < kData + 10)
      return Malformed("webp", "truncated VP8X header");
    return Checked("webp", int64_t{ReadLe24(&b[kData + 4])} + 1,
                   int64_t{ReadLe24(&b[kData + 7])} + 1);
  }
  return Malformed(
      "webp", absl::StrCat("unexpected first chunk '", FourCc(&b[12]), "'"));
}

// Logical screen descriptor, then blocks up to the first image descriptor.
absl::StatusOr<ImageHeaderInfo> ReadGifHeader(absl::Span<const uint8_t> b) {
  if (b.size() < 13) return Malformed("gif", "truncated screen descriptor");
  int64_t width = ReadLe16(&b[6]);
  int64_t height = ReadLe16(&b[8]);
  size_t pos = 13;
  if (b[10] & 0x80) pos += 3 * (size_t{2} << (b[10] & 7));  // global palette
  while (true) {
    if (pos >= b.size()) {
      return Malformed("gif", "truncated before the first image descriptor");
    }
    const uint8_t block = b[pos];
    if (block == 0x2C) {  // image descriptor: left top width height flags
      if (pos + 10 > b.size()) {
        return Malformed("gif", "truncated image descriptor");
      }
      width = std::max<int64_t>(
          width, ReadLe16(&b[pos + 1]) + int64_t{ReadLe16(&b[pos + 5])});
      height = std::max<int64_t>(
          height, ReadLe16(&b[pos + 3]) + int64_t{ReadLe16(&b[pos + 7])});
      return Checked("gif", width, height);
    }
    if (block != 0x21) {
      return Malformed(
          "gif", absl::StrCat("unexpected block 0x", absl::Hex(block),
                              " at offset ", pos, " before the first image"));
    }
    pos += 2;  // introducer and label, then data sub-blocks
    while (pos < b.size() && b[pos] != 0) pos += 1 + size_t{b[pos]};
    ++pos;  // block terminator
  }
}

}  // namespace

absl::StatusOr<ImageHeaderInfo> ReadImageHeader(
    absl::Span<const uint8_t> bytes) {
  const MediaFormat format = SniffMediaFormat(bytes);
  switch (format) {
    case MediaFormat::kJpeg:
      return ReadJpegHeader(bytes);
    case MediaFormat::kPng:
      return ReadPngHeader(bytes);
    case MediaFormat::kWebp:
      return ReadWebpHeader(bytes);
    case MediaFormat::kGif:
      return ReadGifHeader(bytes);
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "no image header: the data is ", std::string(MediaFormatName(format)),
          ", not jpeg, png, webp or gif"));
  }
}

}  // namespace clearmatch
