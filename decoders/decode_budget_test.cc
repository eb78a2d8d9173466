// Decoder bombs: small files whose decode would cost a lot of CPU or memory
// (progressive scan bombs, 16-bit and zlib bombs inside the pixel limit,
// compressed text chunks, many GIF frames), generated in the test
// (testing/bad_media.h). Each is refused with the code and the limit named,
// in a time far below what decoding it would take.
#include <csetjmp>
#include <cstdint>
#include <cstdio>  // before jpeglib.h, which uses FILE without including it
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "decoders/image_decoder.h"
#include "decoders/image_header.h"
#include "decoders/jpeg_decoder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/bad_media.h"
#include "testing/testdata.h"

// clang-format off
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

namespace clearmatch {
namespace {

using ::clearmatch::testing::GifWithFrames;
using ::clearmatch::testing::MediaBytes;
using ::clearmatch::testing::PngInflatedBytes;
using ::clearmatch::testing::PngOfZeros;
using ::clearmatch::testing::ProgressiveJpegBomb;
using ::clearmatch::testing::ZtxtChunks;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr int kMinDecodedSide = 512;  // as MediaFingerprinter decodes

// Generous: these files would take 10 s or more to decode without the
// limits, and are refused in milliseconds (sanitizer builds included).
constexpr absl::Duration kFast = absl::Seconds(3);

MediaBytes Testdata(std::string_view name) {
  const std::vector<unsigned char> bytes = testing::ReadFileBytes(
      testing::TestdataPath(std::string("pdq/") + std::string(name)));
  return MediaBytes(bytes.begin(), bytes.end());
}

struct Timed {
  absl::StatusOr<DecodedImage> result;
  absl::Duration took;
};

Timed Decode(const MediaBytes& bytes, const ImageDecodeLimits& limits = {}) {
  const absl::Time start = absl::Now();
  absl::StatusOr<DecodedImage> result =
      DecodeImage(bytes, limits, kMinDecodedSide);
  return {std::move(result), absl::Now() - start};
}

std::string Message(const absl::StatusOr<DecodedImage>& result) {
  return std::string(result.status().message());
}

TEST(DecodeBudgetTest, ProgressiveScanBombIsRefusedFromItsMarkers) {
  // The bomb: 8192x8192, 3000 scans, ~430 KB; ~20 s to decode.
  const MediaBytes bomb = ProgressiveJpegBomb(8192, 8192, 3000);
  EXPECT_LT(bomb.size(), size_t{500000});
  const Timed decode = Decode(bomb);
  EXPECT_EQ(decode.result.status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(Message(decode.result),
              AllOf(HasSubstr("3000 scans"), HasSubstr("limit of 100"),
                    HasSubstr("max_jpeg_scans")));
  EXPECT_LT(decode.took, kFast);
}

TEST(DecodeBudgetTest, ScanLimitIsInclusive) {
  ImageDecodeLimits limits;
  limits.max_jpeg_scans = 7;
  const Timed at_limit = Decode(ProgressiveJpegBomb(64, 48, 7), limits);
  ASSERT_TRUE(at_limit.result.ok()) << at_limit.result.status();
  EXPECT_EQ(at_limit.result->view().width, 64);
  const Timed over = Decode(ProgressiveJpegBomb(64, 48, 8), limits);
  EXPECT_EQ(over.result.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(Message(over.result), HasSubstr("8 scans"));
  // The default admits a hundred.
  EXPECT_TRUE(Decode(ProgressiveJpegBomb(64, 48, 100)).result.ok());
}

TEST(DecodeBudgetTest, ProgressMonitorCountsScansWhileDecoding) {
  // Straight to libjpeg, past the structure walk: the progress monitor
  // alone stops the decode at the first scan over the limit.
  const MediaBytes bomb = ProgressiveJpegBomb(1024, 1024, 400);
  absl::StatusOr<ImageHeaderInfo> header = ReadImageHeader(bomb);
  ASSERT_TRUE(header.ok()) << header.status();
  ImageDecodeLimits limits;
  limits.max_jpeg_scans = 50;
  const absl::StatusOr<DecodedImage> decoded =
      decoders_internal::DecodeJpeg(bomb, *header, limits, 1);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(Message(decoded),
              AllOf(HasSubstr("more than 50 scans"), HasSubstr("scan 51"),
                    HasSubstr("max_jpeg_scans")));
  limits.max_jpeg_scans = 400;
  EXPECT_TRUE(decoders_internal::DecodeJpeg(bomb, *header, limits, 1).ok());
}

TEST(DecodeBudgetTest, ProgressiveCoefficientBufferCounts) {
  // 8192x8192 grey, progressive: 1024 x 1024 blocks of 128 bytes of
  // coefficients (128 MiB) plus the 1/8-size output (1024x1024 BGR).
  const MediaBytes jpeg = ProgressiveJpegBomb(8192, 8192, 4);
  const int64_t expected =
      int64_t{1024} * 1024 * 128 + int64_t{1024} * 1024 * 3;
  ImageDecodeLimits limits;
  limits.max_decoded_bytes = expected - 1;
  const Timed refused = Decode(jpeg, limits);
  EXPECT_EQ(refused.result.status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(Message(refused.result),
              AllOf(HasSubstr("jpeg 8192x8192, several scans"),
                    HasSubstr(absl::StrCat("decodes to ", expected, " bytes")),
                    HasSubstr("max_decoded_bytes")));
  EXPECT_LT(refused.took, kFast);
  limits.max_decoded_bytes = expected;
  EXPECT_TRUE(Decode(jpeg, limits).result.ok());
}

TEST(DecodeBudgetTest, BaselineJpegCountsOnlyItsOutput) {
  const MediaBytes jpeg = Testdata("original.jpg");  // 1600x1004, baseline
  ImageDecodeLimits limits;
  limits.max_decoded_bytes = int64_t{1600} * 1004 * 3;
  EXPECT_TRUE(DecodeImage(jpeg, limits, 0).ok());
  limits.max_decoded_bytes -= 1;
  const absl::StatusOr<DecodedImage> refused = DecodeImage(jpeg, limits, 0);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(Message(refused), HasSubstr("decodes to 4819200 bytes"));
}

struct JpegError {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
};

// What libjpeg-turbo (Debian's 2.1) does with max_memory_to_use, which the
// JPEG decoder sets as its backstop: a coefficient buffer over it fails the
// decode ("Backing store not supported") before the scans are read.
TEST(DecodeBudgetTest, LibjpegMaxMemoryToUseBoundsTheCoefficientBuffer) {
  const MediaBytes jpeg = ProgressiveJpegBomb(8192, 8192, 2);  // 128 MiB
  for (const long limit : {64L << 20, 256L << 20}) {  // NOLINT(runtime/int)
    jpeg_decompress_struct cinfo{};
    JpegError error{};
    cinfo.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = [](j_common_ptr c) {
      std::longjmp(reinterpret_cast<JpegError*>(c->err)->jump, 1);
    };
    error.manager.emit_message = [](j_common_ptr, int) {};
    jpeg_create_decompress(&cinfo);
    bool started = false;
    if (setjmp(error.jump) == 0) {
      cinfo.mem->max_memory_to_use = limit;
      jpeg_mem_src(&cinfo, jpeg.data(), jpeg.size());
      jpeg_read_header(&cinfo, TRUE);
      cinfo.scale_denom = 8;
      jpeg_start_decompress(&cinfo);
      started = true;
    }
    const int code = error.manager.msg_code;
    jpeg_destroy_decompress(&cinfo);
    EXPECT_EQ(started, limit > (128L << 20)) << limit;  // NOLINT(runtime/int)
    if (!started) {
      EXPECT_EQ(code, JERR_NO_BACKING_STORE);
    }
  }
}

// PNG colour types.
constexpr int kGrey = 0, kRgb = 2, kRgba = 6;

TEST(DecodeBudgetTest, SixteenBitPngAtThePixelLimitIsRefusedFromIhdr) {
  // The bomb: 8192x8192 RGBA, 16-bit, at the 64 MP pixel limit; its
  // rows inflate to 512 MiB plus a filter byte each (~0.5 MB of zlib).
  const uint64_t inflated = PngInflatedBytes(8192, 8192, 64, false);
  ASSERT_EQ(inflated, uint64_t{8192} * (8192 * 8 + 1));
  const MediaBytes bomb = PngOfZeros(8192, 8192, 16, kRgba, false, inflated);
  EXPECT_LT(bomb.size(), size_t{1} << 20);
  const Timed decode = Decode(bomb);
  EXPECT_EQ(decode.result.status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(Message(decode.result),
              AllOf(HasSubstr("png 8192x8192, 16-bit, 4 channels"),
                    HasSubstr(absl::StrCat("decodes to ", inflated, " bytes")),
                    HasSubstr("limit of 536870912 (max_decoded_bytes)")));
  EXPECT_LT(decode.took, kFast);
}

TEST(DecodeBudgetTest, PngBudgetCountsInflatedRowsExactly) {
  struct Case {
    uint32_t width, height;
    int depth, color_type, bits_per_pixel;
    bool interlaced;
  };
  for (const Case& c :
       {Case{300, 200, 16, kRgb, 48, false}, Case{301, 203, 16, kRgb, 48, true},
        Case{97, 55, 1, kGrey, 1, true}, Case{640, 480, 8, kRgba, 32, false}}) {
    const uint64_t inflated =
        PngInflatedBytes(c.width, c.height, c.bits_per_pixel, c.interlaced);
    const MediaBytes png = PngOfZeros(c.width, c.height, c.depth, c.color_type,
                                      c.interlaced, inflated);
    ImageDecodeLimits limits;
    limits.max_decoded_bytes = static_cast<int64_t>(inflated);
    // Exactly the right amount of data: decodes (black) at the limit...
    const absl::StatusOr<DecodedImage> image = DecodeImage(png, limits, 0);
    ASSERT_TRUE(image.ok()) << c.width << ": " << image.status();
    EXPECT_EQ(image->view().width, static_cast<int>(c.width));
    EXPECT_EQ(image->view().data[image->view().stride], 0);
    // ...and is refused one byte below it.
    limits.max_decoded_bytes -= 1;
    const absl::StatusOr<DecodedImage> refused = DecodeImage(png, limits, 0);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted)
        << c.width;
    EXPECT_THAT(Message(refused),
                HasSubstr(absl::StrCat("decodes to ", inflated, " bytes")));
  }
}

TEST(DecodeBudgetTest, SixteenBitPngHoldsOnlyTheEightBitImage) {
  // 16-bit RGB at 4096x4096 inflates to 96 MiB; decoded straight to 8-bit,
  // the image held is 48 MiB (the view's stride is 3 bytes a pixel).
  const uint64_t inflated = PngInflatedBytes(4096, 4096, 48, false);
  const absl::StatusOr<DecodedImage> image =
      DecodeImage(PngOfZeros(4096, 4096, 16, kRgb, false, inflated), {}, 0);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->view().stride, size_t{4096} * 3);
}

TEST(DecodeBudgetTest, ZlibDataPastTheLastRowIsNotInflated) {
  // 64x64 grey whose IDAT goes on to 4 GiB of zeros (~4 MB of zlib):
  // libpng would inflate it all (~10 s) to find the end of the stream.
  const uint64_t rows = PngInflatedBytes(64, 64, 8, false);
  const Timed bomb =
      Decode(PngOfZeros(64, 64, 8, kGrey, false, rows + (uint64_t{4} << 30)));
  EXPECT_EQ(bomb.result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(bomb.result), HasSubstr("continues past the last row"));
  EXPECT_LT(bomb.took, kFast);
  // A small surplus (sloppy encoders) still decodes, as libpng allows.
  EXPECT_TRUE(
      Decode(PngOfZeros(64, 64, 8, kGrey, false, rows + 4096)).result.ok());
}

TEST(DecodeBudgetTest, CompressedTextChunksAreSkippedUnread) {
  // 1000 zTXt chunks of 7 MiB of text each (~7 MB file): libpng would
  // inflate each one twice (~30 s) and keep them all.
  const uint64_t rows = PngInflatedBytes(64, 64, 8, false);
  const MediaBytes png = PngOfZeros(64, 64, 8, kGrey, false, rows,
                                    ZtxtChunks(1000, uint64_t{7} << 20));
  const Timed decode = Decode(png);
  ASSERT_TRUE(decode.result.ok()) << decode.result.status();
  EXPECT_EQ(decode.result->view().width, 64);
  EXPECT_LT(decode.took, kFast);
}

TEST(DecodeBudgetTest, GifFramesAreBounded) {
  const Timed many = Decode(GifWithFrames(65537));
  EXPECT_EQ(many.result.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(Message(many.result),
              AllOf(HasSubstr("65537 frames"), HasSubstr("max_gif_frames")));
  EXPECT_LT(many.took, kFast);
  const Timed few = Decode(GifWithFrames(65536));
  ASSERT_TRUE(few.result.ok()) << few.result.status();
  EXPECT_EQ(few.result->view().width, 2);
}

TEST(DecodeBudgetTest, GifScreenAndFrameCount) {
  // A 2x2 screen (12 bytes of BGR) and a 2x2 frame (4 bytes of indices).
  ImageDecodeLimits limits;
  limits.max_decoded_bytes = 16;
  EXPECT_TRUE(Decode(GifWithFrames(1), limits).result.ok());
  limits.max_decoded_bytes = 15;
  const Timed refused = Decode(GifWithFrames(1), limits);
  EXPECT_EQ(refused.result.status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(Message(refused.result),
              AllOf(HasSubstr("gif 2x2 with a 2x2 frame decodes to 16 bytes"),
                    HasSubstr("max_decoded_bytes")));
}

TEST(DecodeBudgetTest, WebpCountsItsOutput) {
  const MediaBytes webp = Testdata("F.webp");  // 1600x1004
  ImageDecodeLimits limits;
  limits.max_decoded_bytes = int64_t{1600} * 1004 * 3 - 1;
  const absl::StatusOr<DecodedImage> refused = DecodeImage(webp, limits, 0);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(Message(refused), AllOf(HasSubstr("webp 1600x1004"),
                                      HasSubstr("max_decoded_bytes")));
  EXPECT_TRUE(DecodeImage(webp, {}, 0).ok());
}

}  // namespace
}  // namespace clearmatch
