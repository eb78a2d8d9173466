#include "testing/bad_media.h"

#include <zlib.h>

#include <stdexcept>

namespace clearmatch::testing {
namespace {

void AppendBe16(MediaBytes& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void AppendBe32(MediaBytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<uint8_t>(v >> shift));
  }
}

void Append(MediaBytes& out, const MediaBytes& more) {
  out.insert(out.end(), more.begin(), more.end());
}

// Huffman-coded JPEG data, most significant bit first, 0xFF stuffed.
class JpegBitWriter {
 public:
  explicit JpegBitWriter(MediaBytes* out) : out_(out) {}
  void Put(uint32_t bits, int count) {
    for (int i = count - 1; i >= 0; --i) {
      byte_ = static_cast<uint8_t>((byte_ << 1) | ((bits >> i) & 1));
      if (++filled_ == 8) Emit();
    }
  }
  // Pads the last byte with 1 bits, as the standard asks.
  void Flush() {
    while (filled_ != 0) Put(1, 1);
  }

 private:
  void Emit() {
    out_->push_back(byte_);
    if (byte_ == 0xFF) out_->push_back(0x00);
    byte_ = 0;
    filled_ = 0;
  }
  MediaBytes* out_;
  uint8_t byte_ = 0;
  int filled_ = 0;
};

void AppendJpegScanHeader(MediaBytes& jpeg, int ss, int se) {
  Append(jpeg, {0xFF, 0xDA});
  AppendBe16(jpeg, 8);
  // One component (id 1, tables 0/0), spectral band ss..se, Ah = Al = 0.
  Append(jpeg, {1, 1, 0x00, static_cast<uint8_t>(ss), static_cast<uint8_t>(se),
                0x00});
}

void AppendJpegTables(MediaBytes& jpeg, int width, int height) {
  Append(jpeg, {0xFF, 0xDB});  // DQT: table 0, all ones
  AppendBe16(jpeg, 67);
  jpeg.push_back(0);
  jpeg.insert(jpeg.end(), 64, 1);
  Append(jpeg, {0xFF, 0xC2});  // SOF2: progressive, 8-bit, one component
  AppendBe16(jpeg, 11);
  jpeg.push_back(8);
  AppendBe16(jpeg, height);
  AppendBe16(jpeg, width);
  Append(jpeg, {1, 1, 0x11, 0});
  // DHT: DC table 0 with one 1-bit code for "difference 0"; AC table 0 with
  // one 1-bit code for EOB14 (a run of 2^14 + 14 extra bits end-of-bands).
  Append(jpeg, {0xFF, 0xC4});
  AppendBe16(jpeg, 2 + 2 * 18);
  for (const uint8_t table_class : {0x00, 0x10}) {
    jpeg.push_back(table_class);
    jpeg.push_back(1);
    jpeg.insert(jpeg.end(), 15, 0);
    jpeg.push_back(table_class == 0 ? 0x00 : 0xE0);
  }
}

}  // namespace

MediaBytes ProgressiveJpegBomb(int width, int height, int scans) {
  MediaBytes jpeg = {0xFF, 0xD8};
  AppendJpegTables(jpeg, width, height);
  const int64_t blocks = int64_t{(width + 7) / 8} * ((height + 7) / 8);
  AppendJpegScanHeader(jpeg, 0, 0);
  {
    JpegBitWriter bits(&jpeg);
    for (int64_t b = 0; b < blocks; ++b) bits.Put(0, 1);
    bits.Flush();
  }
  for (int scan = 1; scan < scans; ++scan) {
    AppendJpegScanHeader(jpeg, 1, 63);
    JpegBitWriter bits(&jpeg);
    for (int64_t left = blocks; left > 0; left -= 32767) {
      bits.Put(0, 1);        // EOB14
      bits.Put(0x3FFF, 14);  // run 2^14 + 0x3FFF = 32767 blocks
    }
    bits.Flush();
  }
  Append(jpeg, {0xFF, 0xD9});
  return jpeg;
}

MediaBytes ZlibOfRepeatedByte(uint8_t byte, uint64_t count) {
  // Raw deflate of one 1 MiB piece, fully flushed (byte-aligned, no back
  // references into earlier data): the same piece repeated inflates to the
  // repeated bytes. zlib header and Adler-32 trailer are added by hand.
  constexpr uint64_t kPiece = uint64_t{1} << 20;
  const MediaBytes input(kPiece, byte);
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  auto deflate_piece = [&](uint64_t size, int flush) {
    MediaBytes out(deflateBound(&z, size) + 64);
    z.next_in = const_cast<Bytef*>(input.data());
    z.avail_in = static_cast<uInt>(size);
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, flush) == Z_STREAM_ERROR || z.avail_in != 0) {
      throw std::runtime_error("deflate failed");
    }
    // Shrinks only (erase: GCC's sanitizer build cannot prove that a resize
    // here never grows, and warns).
    out.erase(out.end() - z.avail_out, out.end());
    return out;
  };
  MediaBytes stream = {0x78, 0xDA};
  const MediaBytes piece = deflate_piece(kPiece, Z_FULL_FLUSH);
  uLong adler = adler32(0L, Z_NULL, 0);
  const uLong piece_adler = adler32(1L, input.data(), kPiece);
  uint64_t left = count;
  for (; left >= kPiece; left -= kPiece) {
    Append(stream, piece);
    adler = adler32_combine(adler, piece_adler, kPiece);
  }
  Append(stream, deflate_piece(left, Z_FINISH));
  adler = adler32_combine(adler, adler32(1L, input.data(), left), left);
  deflateEnd(&z);
  AppendBe32(stream, static_cast<uint32_t>(adler));
  return stream;
}

MediaBytes PngChunk(std::string_view type, const MediaBytes& data) {
  MediaBytes chunk;
  AppendBe32(chunk, static_cast<uint32_t>(data.size()));
  MediaBytes typed(type.begin(), type.end());
  Append(typed, data);
  Append(chunk, typed);
  AppendBe32(chunk, crc32(0, typed.data(), static_cast<uInt>(typed.size())));
  return chunk;
}

uint64_t PngInflatedBytes(uint32_t width, uint32_t height, int bits_per_pixel,
                          bool interlaced) {
  auto rows = [&](uint64_t w, uint64_t h) -> uint64_t {
    return w == 0 || h == 0 ? 0 : h * (1 + (w * bits_per_pixel + 7) / 8);
  };
  if (!interlaced) return rows(width, height);
  const int x0[] = {0, 4, 0, 2, 0, 1, 0}, dx[] = {8, 8, 4, 4, 2, 2, 1};
  const int y0[] = {0, 0, 4, 0, 2, 0, 1}, dy[] = {8, 8, 8, 4, 4, 2, 2};
  uint64_t total = 0;
  for (int pass = 0; pass < 7; ++pass) {
    const uint64_t w = width > uint32_t(x0[pass])
                           ? (width - x0[pass] + dx[pass] - 1) / dx[pass]
                           : 0;
    const uint64_t h = height > uint32_t(y0[pass])
                           ? (height - y0[pass] + dy[pass] - 1) / dy[pass]
                           : 0;
    total += rows(w, h);
  }
  return total;
}

MediaBytes PngOfZeros(uint32_t width, uint32_t height, int depth,
                      int color_type, bool interlaced, uint64_t inflated_bytes,
                      const MediaBytes& extra_chunks) {
  MediaBytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  MediaBytes ihdr;
  AppendBe32(ihdr, width);
  AppendBe32(ihdr, height);
  Append(ihdr, {static_cast<uint8_t>(depth), static_cast<uint8_t>(color_type),
                0, 0, static_cast<uint8_t>(interlaced ? 1 : 0)});
  Append(png, PngChunk("IHDR", ihdr));
  if (color_type == 3) Append(png, PngChunk("PLTE", {0, 0, 0}));
  Append(png, extra_chunks);
  Append(png, PngChunk("IDAT", ZlibOfRepeatedByte(0, inflated_bytes)));
  Append(png, PngChunk("IEND", {}));
  return png;
}

MediaBytes ZtxtChunks(int count, uint64_t inflated_each) {
  MediaBytes data = {'C', 'o', 'm', 'm', 'e', 'n', 't', 0, 0};  // key, method
  Append(data, ZlibOfRepeatedByte('A', inflated_each));
  const MediaBytes chunk = PngChunk("zTXt", data);
  MediaBytes chunks;
  for (int i = 0; i < count; ++i) Append(chunks, chunk);
  return chunks;
}

MediaBytes GifWithFrames(int frames) {
  // Screen 2x2 with a 2-colour global palette (black, white).
  MediaBytes gif = {'G',  'I', 'F', '8', '9', 'a', 2,   0,   2,  0,
                    0x80, 0,   0,   0,   0,   0,   255, 255, 255};
  for (int i = 0; i < frames; ++i) {
    // Image descriptor 2x2 at 0,0; LZW minimum code size 2 and one
    // sub-block of 3-bit codes: (clear, 0) four times, end of information.
    Append(gif, {0x2C, 0, 0, 0, 0, 2, 0, 2, 0, 0, 0x02, 0x04, 0x04, 0x41, 0x10,
                 0x05, 0});
  }
  gif.push_back(0x3B);
  return gif;
}

MediaBytes JpegHeaderOnly(int width, int height) {
  MediaBytes jpeg = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08};
  AppendBe16(jpeg, height);
  AppendBe16(jpeg, width);
  Append(jpeg, {0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
                0xFF, 0xD9});
  return jpeg;
}

}  // namespace clearmatch::testing
