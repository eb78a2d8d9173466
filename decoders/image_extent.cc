// Structure walks that find where an image ends (see image_extent.h).
#include "decoders/image_extent.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "decoders/byte_order.h"

namespace clearmatch::decoders_internal {
namespace {

absl::Status Malformed(absl::string_view format, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(format, ": ", problem));
}

absl::Status JpegTruncated() {
  return Malformed("jpeg", "truncated (no end-of-image marker)");
}

// Offset of the marker that ends the entropy-coded data starting at `pos`:
// skips stuffed FF 00, restart markers FF D0..D7 and fill bytes.
absl::StatusOr<size_t> SkipEntropyCodedData(absl::Span<const uint8_t> b,
                                            size_t pos) {
  while (true) {
    const void* ff =
        pos < b.size() ? std::memchr(&b[pos], 0xFF, b.size() - pos) : nullptr;
    if (ff == nullptr) return JpegTruncated();
    const size_t at = static_cast<const uint8_t*>(ff) - b.data();
    if (at + 1 >= b.size()) return JpegTruncated();
    const uint8_t next = b[at + 1];
    if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
      pos = at + 2;
    } else if (next == 0xFF) {
      pos = at + 1;
    } else {
      return at;
    }
  }
}

// Marker segments and scans after SOI, up to and including EOI.
absl::StatusOr<ImageExtent> FindJpegEnd(absl::Span<const uint8_t> b) {
  ImageExtent extent;
  size_t pos = 2;
  while (true) {
    if (pos >= b.size()) return JpegTruncated();
    if (b[pos] != 0xFF) {
      return Malformed("jpeg", absl::StrCat("expected a marker at offset ", pos,
                                            ", found byte ", b[pos]));
    }
    while (pos < b.size() && b[pos] == 0xFF) ++pos;
    if (pos >= b.size()) return JpegTruncated();
    const uint8_t marker = b[pos++];
    if (marker == 0xD9) {
      extent.end = pos;
      return extent;
    }
    if (marker == 0xD8 || marker == 0x01 ||
        (marker >= 0xD0 && marker <= 0xD7)) {
      continue;
    }
    if (pos + 2 > b.size()) return JpegTruncated();
    const size_t length = ReadBe16(&b[pos]);
    if (length < 2) {
      return Malformed(
          "jpeg", absl::StrCat("segment length ", length, " at offset ", pos));
    }
    if (pos + length > b.size()) return JpegTruncated();
    pos += length;
    if (marker == 0xDA) {  // start of scan: entropy-coded data follows
      ++extent.scans;
      auto scan_end = SkipEntropyCodedData(b, pos);
      if (!scan_end.ok()) return scan_end.status();
      pos = *scan_end;
    }
  }
}

// Chunks after the signature, up to and including IEND.
absl::StatusOr<size_t> FindPngEnd(absl::Span<const uint8_t> b) {
  size_t pos = 8;
  while (true) {
    if (pos + 12 > b.size()) return Malformed("png", "truncated (no IEND)");
    const size_t length = ReadBe32(&b[pos]);
    if (length > 0x7FFFFFFF) {
      return Malformed("png",
                       absl::StrCat("chunk length ", length, " at offset ", pos,
                                    " exceeds 2^31-1"));
    }
    const size_t end = pos + 12 + length;  // length, type, data, CRC
    if (end > b.size()) {
      return Malformed(
          "png",
          absl::StrCat("truncated: chunk '",
                       absl::CHexEscape(absl::string_view(
                           reinterpret_cast<const char*>(&b[pos + 4]), 4)),
                       "' at offset ", pos, " runs past the end"));
    }
    if (std::memcmp(&b[pos + 4], "IEND", 4) == 0) return end;
    pos = end;
  }
}

// The RIFF size; also refuses animations, which the decoder cannot read.
absl::StatusOr<size_t> FindWebpEnd(absl::Span<const uint8_t> b) {
  const size_t riff_size = ReadLe32(&b[4]);
  if (riff_size < 4) {
    return Malformed("webp", absl::StrCat("RIFF size ", riff_size));
  }
  if (riff_size > b.size() - 8) {
    return Malformed(
        "webp", absl::StrCat("truncated: RIFF size ", riff_size, " but only ",
                             b.size() - 8, " bytes follow"));
  }
  const size_t end = 8 + riff_size;
  for (size_t pos = 12; pos + 8 <= end;) {
    const std::string_view fourcc(reinterpret_cast<const char*>(&b[pos]), 4);
    if (fourcc == "ANIM" || fourcc == "ANMF") {
      return Malformed("webp", "animated webp is not supported");
    }
    const size_t chunk_size = ReadLe32(&b[pos + 4]);
    pos += 8 + chunk_size + (chunk_size & 1);  // chunks are padded to even
  }
  // A RIFF padding byte after an odd-sized body belongs to the image.
  return std::min(b.size(), end + (riff_size & 1));
}

// Skips data sub-blocks (size byte, data) up to the zero-size terminator.
size_t SkipGifSubBlocks(absl::Span<const uint8_t> b, size_t pos) {
  while (pos < b.size() && b[pos] != 0) pos += 1 + size_t{b[pos]};
  return pos + 1;
}

// Blocks after the screen descriptor and palette, up to the trailer (3B).
absl::StatusOr<ImageExtent> FindGifEnd(absl::Span<const uint8_t> b) {
  if (b.size() < 13) return Malformed("gif", "truncated screen descriptor");
  ImageExtent extent;
  size_t pos = 13;
  if (b[10] & 0x80) pos += 3 * (size_t{2} << (b[10] & 7));
  while (true) {
    if (pos >= b.size()) return Malformed("gif", "truncated (no trailer)");
    const uint8_t block = b[pos];
    if (block == 0x3B) {
      extent.end = pos + 1;
      return extent;
    }
    if (block == 0x21) {
      pos = SkipGifSubBlocks(b, pos + 2);
    } else if (block == 0x2C) {
      ++extent.frames;
      if (pos + 10 > b.size())
        return Malformed("gif", "truncated (no trailer)");
      const uint8_t flags = b[pos + 9];
      pos += 10;
      if (flags & 0x80) pos += 3 * (size_t{2} << (flags & 7));
      pos = SkipGifSubBlocks(b, pos + 1);  // after the LZW minimum code size
    } else {
      return Malformed("gif",
                       absl::StrCat("unexpected block 0x", absl::Hex(block),
                                    " at offset ", pos));
    }
  }
}

// Offset (from the start of `trailer`) of the first video container in it.
size_t FindVideoSignature(absl::Span<const uint8_t> trailer,
                          MediaFormat* video) {
  const MediaFormat at_start = SniffMediaFormat(trailer);
  if (IsAllowedVideo(at_start) || at_start == MediaFormat::kHeif) {
    *video = at_start;
    return 0;
  }
  const std::string_view data(reinterpret_cast<const char*>(trailer.data()),
                              trailer.size());
  size_t found = std::string_view::npos;
  // An 'ftyp' box type is preceded by its 4-byte size.
  if (const size_t ftyp = data.find("ftyp", 4); ftyp != data.npos) {
    found = ftyp - 4;
    *video = SniffMediaFormat(trailer.subspan(found)) == MediaFormat::kHeif
                 ? MediaFormat::kHeif
                 : MediaFormat::kMp4;
  }
  const size_t ebml = data.find("\x1A\x45\xDF\xA3");
  if (ebml < found) {
    *video = MediaFormat::kMatroska;
    found = ebml;
  }
  return found;
}

}  // namespace

absl::StatusOr<ImageExtent> FindImageExtent(MediaFormat format,
                                            absl::Span<const uint8_t> bytes) {
  switch (format) {
    case MediaFormat::kJpeg:
      return FindJpegEnd(bytes);
    case MediaFormat::kGif:
      return FindGifEnd(bytes);
    case MediaFormat::kPng:
    case MediaFormat::kWebp: {
      absl::StatusOr<size_t> end =
          format == MediaFormat::kPng ? FindPngEnd(bytes) : FindWebpEnd(bytes);
      if (!end.ok()) return end.status();
      return ImageExtent{.end = *end};
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(MediaFormatName(format)),
                       " is not an image format with a known end"));
  }
}

absl::StatusOr<size_t> FindImageEnd(MediaFormat format,
                                    absl::Span<const uint8_t> bytes) {
  absl::StatusOr<ImageExtent> extent = FindImageExtent(format, bytes);
  if (!extent.ok()) return extent.status();
  return extent->end;
}

absl::Status CheckNoEmbeddedVideo(MediaFormat format,
                                  absl::Span<const uint8_t> bytes,
                                  size_t image_end) {
  if (image_end >= bytes.size()) return absl::OkStatus();
  MediaFormat video = MediaFormat::kUnknown;
  const size_t offset = FindVideoSignature(bytes.subspan(image_end), &video);
  if (offset == std::string_view::npos) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "polyglot: ", std::string(MediaFormatName(format)),
      " followed by an embedded ", std::string(MediaFormatName(video)),
      " at offset ", image_end + offset));
}

}  // namespace clearmatch::decoders_internal
