// Bad media for the decoder tests and the end-to-end bad-media test:
// decoder bombs (small files whose decode would cost a lot) and structures
// the decoders must refuse, generated in memory (nothing is read or written).
//
//   std::vector<uint8_t> bomb = ProgressiveJpegBomb(8192, 8192, 3000);
//   EXPECT_EQ(DecodeImage(bomb, {}, 0).status().code(), ...);
//
// Every generator is deterministic and fast (milliseconds): the zlib streams
// repeat one flushed block instead of compressing gigabytes. Thread-safe.
#ifndef CLEARMATCH_TESTING_BAD_MEDIA_H_
#define CLEARMATCH_TESTING_BAD_MEDIA_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace clearmatch::testing {

using MediaBytes = std::vector<uint8_t>;

// A greyscale progressive JPEG of width x height (both <= 65535) with
// `scans` scans (>= 1): one DC scan, then full-band AC scans of nothing but
// end-of-band runs, each a pass over every block for libjpeg (a repeated
// band is only a warning to it). 8192x8192 with 3000 scans is ~430 KB and
// ~20 s of libjpeg-turbo's CPU. It decodes to a flat grey image.
MediaBytes ProgressiveJpegBomb(int width, int height, int scans);

// A zlib stream that inflates to `count` copies of `byte`.
MediaBytes ZlibOfRepeatedByte(uint8_t byte, uint64_t count);

// One PNG chunk: length, type, data, CRC.
MediaBytes PngChunk(std::string_view type, const MediaBytes& data);

// A PNG of width x height with the given IHDR bit depth and colour type
// (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA), interlaced (Adam7) or
// not, whose IDAT inflates to `inflated_bytes` zero bytes (zero rows with
// filter type None: a black image when the count is exactly right; a
// palette image gets a one-entry PLTE). `extra_chunks` go before IDAT.
MediaBytes PngOfZeros(uint32_t width, uint32_t height, int depth,
                      int color_type, bool interlaced, uint64_t inflated_bytes,
                      const MediaBytes& extra_chunks = {});

// Bytes the rows of such a PNG inflate to (filter bytes and every interlace
// pass included): what PngOfZeros needs to be exactly right.
uint64_t PngInflatedBytes(uint32_t width, uint32_t height, int bits_per_pixel,
                          bool interlaced);

// `count` zTXt chunks, each inflating to `inflated_each` bytes of text.
MediaBytes ZtxtChunks(int count, uint64_t inflated_each);

// A GIF89a with a 2x2 logical screen and `frames` 2x2 frames.
MediaBytes GifWithFrames(int frames);

// A baseline JPEG of only SOI, an SOF0 of width x height and EOI (nothing
// to decode: for header checks).
MediaBytes JpegHeaderOnly(int width, int height);

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_BAD_MEDIA_H_
