#include "decoders/image_decoder.h"

#include <zlib.h>

#include <cstdint>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

using Bytes = std::vector<uint8_t>;

Bytes Testdata(std::string_view name) {
  return clearmatch::testing::ReadFileBytes(clearmatch::testing::TestdataPath(
      std::string("pdq/") + std::string(name)));
}

template <size_t N>
Bytes Literal(const char (&literal)[N]) {
  return Bytes(literal, literal + N - 1);
}

void Append(Bytes& out, const Bytes& more) {
  out.insert(out.end(), more.begin(), more.end());
}

void AppendBe32(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(v >> shift);
}

// One PNG chunk with its CRC over type and data.
Bytes PngChunk(std::string_view type, const Bytes& data) {
  Bytes chunk;
  AppendBe32(chunk, data.size());
  Bytes typed(type.begin(), type.end());
  Append(typed, data);
  Append(chunk, typed);
  AppendBe32(chunk, crc32(0, typed.data(), typed.size()));
  return chunk;
}

// An 8-bit RGB PNG of `width` x `height` whose IDAT holds `idat`.
Bytes Png(uint32_t width, uint32_t height, const Bytes& idat) {
  Bytes png = Literal("\x89PNG\r\n\x1A\n");
  Bytes ihdr;
  AppendBe32(ihdr, width);
  AppendBe32(ihdr, height);
  Append(ihdr,
         Bytes{8, 2, 0, 0, 0});  // depth, RGB, deflate, filter, no interlace
  Append(png, PngChunk("IHDR", ihdr));
  Append(png, PngChunk("IDAT", idat));
  Append(png, PngChunk("IEND", {}));
  return png;
}

Bytes Zlib(const Bytes& raw) {
  uLongf size = compressBound(raw.size());
  Bytes out(size);
  EXPECT_EQ(compress(out.data(), &size, raw.data(), raw.size()), Z_OK);
  out.resize(size);
  return out;
}

// Baseline JPEG with only SOI, an SOF0 of the given size, and EOI.
Bytes JpegHeaderOnly(int width, int height) {
  Bytes jpeg = Literal("\xFF\xD8\xFF\xC0\x00\x11\x08");
  Append(jpeg, {static_cast<uint8_t>(height >> 8), static_cast<uint8_t>(height),
                static_cast<uint8_t>(width >> 8), static_cast<uint8_t>(width)});
  Append(jpeg, Literal("\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xFF\xD9"));
  return jpeg;
}

Bytes EncodeJpeg(const cv::Mat& image) {
  Bytes out;
  EXPECT_TRUE(cv::imencode(".jpg", image, out));
  return out;
}

void ExpectError(const absl::StatusOr<DecodedImage>& result,
                 absl::StatusCode code, std::string_view message) {
  EXPECT_EQ(result.status().code(), code) << result.status();
  EXPECT_THAT(std::string(result.status().message()),
              HasSubstr(std::string(message)));
}

double MeanLuma(const PixelView& view) {
  const cv::Mat mat(view.height, view.width,
                    view.format == PixelFormat::kGrey ? CV_8UC1 : CV_8UC3,
                    const_cast<uint8_t*>(view.data), view.stride);
  if (view.format == PixelFormat::kGrey) return cv::mean(mat)[0];
  cv::Mat grey;
  cv::cvtColor(mat, grey, cv::COLOR_BGR2GRAY);
  return cv::mean(grey)[0];
}

TEST(ImageDecoderTest, PixelModesDecodeToGreyOrBgrOfTheSamePhoto) {
  struct Case {
    std::string file;
    PixelFormat format;
  };
  const std::vector<Case> cases = {
      {"1.png", PixelFormat::kGrey},   {"L.png", PixelFormat::kGrey},
      {"P.png", PixelFormat::kBgr},    {"LA.png", PixelFormat::kBgr},
      {"RGBA.png", PixelFormat::kBgr}, {"CMYK.jpg", PixelFormat::kBgr},
      {"RGB.jpg", PixelFormat::kBgr},  {"YCbCr.jpg", PixelFormat::kBgr},
      {"F.webp", PixelFormat::kBgr},   {"HSV.webp", PixelFormat::kBgr},
      {"I.webp", PixelFormat::kBgr},   {"LAB.webp", PixelFormat::kBgr},
      {"PA.webp", PixelFormat::kBgr},  {"original.jpg", PixelFormat::kBgr},
  };
  for (const Case& c : cases) {
    absl::StatusOr<DecodedImage> image =
        DecodeImage(Testdata(c.file), ImageDecodeLimits(), 0);
    ASSERT_TRUE(image.ok()) << c.file << ": " << image.status();
    const PixelView& view = image->view();
    EXPECT_EQ(view.format, c.format) << c.file;
    EXPECT_EQ(view.width, 1600) << c.file;
    EXPECT_EQ(view.height, 1004) << c.file;
    EXPECT_GE(view.stride, size_t{1600} * BytesPerPixel(view.format));
    EXPECT_EQ(image->source_width(), 1600);
    EXPECT_EQ(image->source_height(), 1004);
    // Same photo in every mode: an inverted CMYK, a garbled palette or a
    // wrong channel count would move the mean far from original.jpg's 117.7.
    EXPECT_NEAR(MeanLuma(view), 117.7, 3.0) << c.file;
  }
}

TEST(ImageDecoderTest, RgbaPngDropsAlphaWithoutCompositing) {
  const Bytes bytes = Testdata("pen-and-coaster.png");
  const cv::Mat bgra = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
  ASSERT_EQ(bgra.channels(), 4);
  absl::StatusOr<DecodedImage> image = DecodeImage(bytes, {}, 0);
  ASSERT_TRUE(image.ok()) << image.status();
  const PixelView& view = image->view();
  ASSERT_EQ(view.format, PixelFormat::kBgr);
  ASSERT_EQ(view.width, bgra.cols);
  for (int y = 0; y < view.height; y += 37) {
    for (int x = 0; x < view.width; x += 41) {
      const cv::Vec4b expected = bgra.at<cv::Vec4b>(y, x);
      const uint8_t* got = view.data + y * view.stride + 3 * x;
      EXPECT_EQ(got[0], expected[0]);
      EXPECT_EQ(got[1], expected[1]);
      EXPECT_EQ(got[2], expected[2]);
    }
  }
}

TEST(ImageDecoderTest, SixteenBitPngIsDividedBy257WithRounding) {
  // 25828 / 257 = 100.498 -> 100; 25829 / 257 = 100.502 -> 101.
  cv::Mat grey16(2, 2, CV_16UC1);
  grey16.at<uint16_t>(0, 0) = 0;
  grey16.at<uint16_t>(0, 1) = 65535;
  grey16.at<uint16_t>(1, 0) = 25828;
  grey16.at<uint16_t>(1, 1) = 25829;
  Bytes png;
  ASSERT_TRUE(cv::imencode(".png", grey16, png));
  absl::StatusOr<DecodedImage> image = DecodeImage(png, {}, 0);
  ASSERT_TRUE(image.ok()) << image.status();
  const PixelView& view = image->view();
  ASSERT_EQ(view.format, PixelFormat::kGrey);
  EXPECT_EQ(view.data[0], 0);
  EXPECT_EQ(view.data[1], 255);
  EXPECT_EQ(view.data[view.stride], 100);
  EXPECT_EQ(view.data[view.stride + 1], 101);

  cv::Mat bgra16(1, 1, CV_16UC4, cv::Scalar(25828, 25829, 65535, 0));
  ASSERT_TRUE(cv::imencode(".png", bgra16, png));
  image = DecodeImage(png, {}, 0);
  ASSERT_TRUE(image.ok()) << image.status();
  ASSERT_EQ(image->view().format, PixelFormat::kBgr);
  EXPECT_EQ(image->view().data[0], 100);
  EXPECT_EQ(image->view().data[1], 101);
  EXPECT_EQ(image->view().data[2], 255);
}

TEST(ImageDecoderTest, ExifOrientationIsNotApplied) {
  // Stored 4032x3024 with orientation 6; a viewer would show 3024x4032.
  absl::StatusOr<DecodedImage> image =
      DecodeImage(Testdata("exif-rotn-6.jpg"), {}, 0);
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->view().width, 4032);
  EXPECT_EQ(image->view().height, 3024);
}

TEST(ImageDecoderTest, ReducedJpegDecodeKeepsTheLongerSideAboveTheMinimum) {
  cv::Mat small(30, 40, CV_8UC3);
  cv::randu(small, 0, 256);
  cv::Mat large;
  cv::resize(small, large, cv::Size(4001, 3001));
  const Bytes jpeg = EncodeJpeg(large);
  struct Case {
    int min_side;
    int width;
    int height;
  };
  // Scale 1/s with the largest s in {8, 4, 2} such that ceil(4001 / s) >=
  // min_side; sizes are ceil(4001 / s) x ceil(3001 / s).
  for (const Case& c :
       {Case{0, 4001, 3001}, Case{500, 501, 376}, Case{501, 501, 376},
        Case{502, 1001, 751}, Case{512, 1001, 751}, Case{1002, 2001, 1501},
        Case{2001, 2001, 1501}, Case{2002, 4001, 3001}}) {
    absl::StatusOr<DecodedImage> image = DecodeImage(jpeg, {}, c.min_side);
    ASSERT_TRUE(image.ok()) << image.status();
    EXPECT_EQ(image->view().width, c.width) << c.min_side;
    EXPECT_EQ(image->view().height, c.height) << c.min_side;
    EXPECT_EQ(image->source_width(), 4001);
    EXPECT_EQ(image->source_height(), 3001);
  }
}

TEST(ImageDecoderTest, SmallTrailingGarbageIsAccepted) {
  Bytes jpeg = Testdata("q0003.jpg");
  Append(jpeg, Literal("camera trailer \x00\x01\x02"));
  EXPECT_TRUE(DecodeImage(jpeg, {}, 0).ok());
}

TEST(ImageDecoderTest, EmptyAndTooShortAreInvalid) {
  ExpectError(DecodeImage({}, {}, 0), absl::StatusCode::kInvalidArgument,
              "empty");
  ExpectError(DecodeImage(Literal("\xFF\xD8"), {}, 0),
              absl::StatusCode::kInvalidArgument,
              "unknown is not an allowed image format");
}

TEST(ImageDecoderTest, RandomBytesAreInvalid) {
  std::mt19937 rng(42);
  Bytes noise(4096);
  for (uint8_t& b : noise) b = rng();
  ExpectError(DecodeImage(noise, {}, 0), absl::StatusCode::kInvalidArgument,
              "unknown is not an allowed image format");
  // The same noise behind JPEG and PNG signatures.
  Bytes jpeg = Literal("\xFF\xD8\xFF");
  Append(jpeg, noise);
  EXPECT_EQ(DecodeImage(jpeg, {}, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  Bytes png = Literal("\x89PNG\r\n\x1A\n");
  Append(png, noise);
  EXPECT_EQ(DecodeImage(png, {}, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ImageDecoderTest, TruncatedFilesAreRefused) {
  for (std::string_view file : {"bridge-1-original.jpg", "L.png", "F.webp"}) {
    Bytes bytes = Testdata(file);
    bytes.resize(bytes.size() / 2);
    ExpectError(DecodeImage(bytes, {}, 0), absl::StatusCode::kInvalidArgument,
                "truncated");
  }
}

TEST(ImageDecoderTest, HugeHeadersAreRefusedBeforeDecoding) {
  ExpectError(DecodeImage(JpegHeaderOnly(65535, 65535), {}, 0),
              absl::StatusCode::kResourceExhausted,
              "jpeg 65535x65535 exceeds the limit of 16384 pixels per side");
  // 16000x16000 RGB would need 768 MB; the body is a few bytes of zlib.
  const Bytes png = Png(16000, 16000, Zlib(Bytes(100, 0)));
  ExpectError(DecodeImage(png, {}, 0), absl::StatusCode::kResourceExhausted,
              "png 16000x16000 = 256000000 pixels exceeds the limit of "
              "67108864 pixels");
}

TEST(ImageDecoderTest, LimitsApplyToRealImages) {
  const Bytes jpeg = Testdata("original.jpg");  // 1600x1004
  ImageDecodeLimits limits;
  limits.max_side = 1599;
  ExpectError(DecodeImage(jpeg, limits, 0),
              absl::StatusCode::kResourceExhausted, "1600x1004");
  limits = ImageDecodeLimits();
  limits.max_pixels = 1600 * 1004 - 1;
  ExpectError(DecodeImage(jpeg, limits, 0),
              absl::StatusCode::kResourceExhausted, "1606400 pixels");
  limits = ImageDecodeLimits();
  limits.max_bytes = static_cast<int64_t>(jpeg.size()) - 1;
  ExpectError(DecodeImage(jpeg, limits, 0),
              absl::StatusCode::kResourceExhausted, "exceeds the limit of");
  // Size is checked before anything else, even on bytes that are not media.
  limits.max_bytes = 10;
  ExpectError(DecodeImage(Bytes(11, 0), limits, 0),
              absl::StatusCode::kResourceExhausted, "11 bytes");
}

TEST(ImageDecoderTest, RefusedFormatsAreNamed) {
  struct Case {
    Bytes bytes;
    std::string name;
  };
  const std::vector<Case> cases = {
      {Literal("BM\x3A\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00"), "bmp"},
      {Literal("II*\x00\x08\x00\x00\x00"), "tiff"},
      {Literal("MM\x00*\x00\x00\x00\x08"), "tiff"},
      {Literal("\x76\x2F\x31\x01\x02\x00\x00\x00"), "openexr"},
      {Literal("\x00\x00\x00\x18"
               "ftypheic\x00\x00\x00\x00mif1heic"),
       "heif"},
      {Literal("%PDF-1.7\n"), "pdf"},
      {Literal("\x00\x00\x00\x18"
               "ftypisom\x00\x00\x02\x00isomiso2"),
       "mp4"},
  };
  for (const Case& c : cases) {
    ExpectError(DecodeImage(c.bytes, {}, 0), absl::StatusCode::kInvalidArgument,
                c.name +
                    " is not an allowed image format (allowed: jpeg, "
                    "png, webp, gif)");
  }
}

TEST(ImageDecoderTest, PolyglotsWithAVideoAfterTheImageAreRefused) {
  const Bytes mp4 = Literal(
      "\x00\x00\x00\x18"
      "ftypisom\x00\x00\x02\x00isomiso2\x00\x00\x00\x08mdat");
  Bytes jpeg = Testdata("q0003.jpg");
  const size_t jpeg_size = jpeg.size();
  Append(jpeg, mp4);
  ExpectError(DecodeImage(jpeg, {}, 0), absl::StatusCode::kInvalidArgument,
              "polyglot: jpeg followed by an embedded mp4 at offset " +
                  std::to_string(jpeg_size));
  // A few junk bytes between the image and the video do not hide it.
  Bytes png = Testdata("L.png");
  const size_t png_size = png.size();
  Append(png, Literal("junk\x1A\x45\xDF\xA3\x01\x00\x00\x00"));
  ExpectError(DecodeImage(png, {}, 0), absl::StatusCode::kInvalidArgument,
              "polyglot: png followed by an embedded matroska at offset " +
                  std::to_string(png_size + 4));
  Bytes webp = Testdata("F.webp");
  const size_t webp_size = webp.size();
  Append(webp, mp4);
  ExpectError(DecodeImage(webp, {}, 0), absl::StatusCode::kInvalidArgument,
              "polyglot: webp followed by an embedded mp4 at offset " +
                  std::to_string(webp_size));
}

TEST(ImageDecoderTest, GifsPassTheSameChecksBeforeTheGifDecoder) {
  // Screen 2x2, no palette; image 2x2, LZW minimum code size 2, one data
  // sub-block; trailer.
  const Bytes gif = Literal(
      "GIF89a\x02\x00\x02\x00\x00\x00\x00"
      "\x2C\x00\x00\x00\x00\x02\x00\x02\x00\x00"
      "\x02\x02\x44\x01\x00\x3B");
  Bytes polyglot = gif;
  Append(polyglot, Literal("\x00\x00\x00\x10"
                           "ftypmp42\x00\x00\x00\x00"));
  ExpectError(DecodeImage(polyglot, {}, 0), absl::StatusCode::kInvalidArgument,
              "polyglot: gif followed by an embedded mp4 at offset " +
                  std::to_string(gif.size()));
  Bytes huge = gif;
  huge[6] = huge[7] = huge[8] = huge[9] = 0xFF;  // screen 65535x65535
  ExpectError(DecodeImage(huge, {}, 0), absl::StatusCode::kResourceExhausted,
              "gif 65535x65535");
  Bytes truncated = gif;
  truncated.pop_back();  // no trailer
  ExpectError(DecodeImage(truncated, {}, 0), absl::StatusCode::kInvalidArgument,
              "gif: truncated");
}

TEST(ImageDecoderTest, AnimatedWebpIsRefused) {
  // VP8X with the animation flag, 16x16 canvas, then an ANIM chunk.
  const Bytes webp = Literal(
      "RIFF\x24\x00\x00\x00WEBP"
      "VP8X\x0A\x00\x00\x00\x02\x00\x00\x00\x0F\x00\x00\x0F\x00\x00"
      "ANIM\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00");
  ExpectError(DecodeImage(webp, {}, 0), absl::StatusCode::kInvalidArgument,
              "animated webp is not supported");
}

TEST(ImageDecoderTest, CorruptPngDataIsInvalid) {
  // A valid 4x4 PNG decodes (the fixture builder works)...
  Bytes raw;
  for (int row = 0; row < 4; ++row) {
    raw.push_back(0);  // filter type None
    for (int i = 0; i < 12; ++i) raw.push_back(row * 40 + i);
  }
  absl::StatusOr<DecodedImage> good = DecodeImage(Png(4, 4, Zlib(raw)), {}, 0);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->view().width, 4);
  // ...while the same container around a broken deflate stream does not.
  Bytes bad_idat = Zlib(raw);
  for (size_t i = 2; i < bad_idat.size(); ++i) bad_idat[i] ^= 0x5A;
  ExpectError(DecodeImage(Png(4, 4, bad_idat), {}, 0),
              absl::StatusCode::kInvalidArgument, "could not decode png");
}

TEST(ImageDecoderTest, NothingIsPrintedAboutBadMedia) {
  Bytes corrupt_jpeg = Testdata("q0003.jpg");
  // Damage the entropy-coded data (keeping EOI) so libjpeg warns.
  for (size_t i = corrupt_jpeg.size() / 2; i < corrupt_jpeg.size() / 2 + 64;
       ++i) {
    corrupt_jpeg[i] = corrupt_jpeg[i] == 0xFF ? 0xFF : 0x00;
  }
  Bytes raw(4 * 13, 7);
  Bytes bad_idat = Zlib(raw);
  bad_idat[bad_idat.size() / 2] ^= 0xFF;
  ::testing::internal::CaptureStderr();
  ::testing::internal::CaptureStdout();
  (void)DecodeImage(corrupt_jpeg, {}, 0);
  (void)DecodeImage(Png(4, 4, bad_idat), {}, 0);
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, "");
  EXPECT_EQ(err, "");
}

}  // namespace
}  // namespace clearmatch
