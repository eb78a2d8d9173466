// DecodeImage against an independent oracle: OpenCV's imdecode (which wraps
// the same codec libraries), with the normalisation clearmatch applied when it
// decoded through OpenCV. Same pixels means the same PDQ hashes, so these
// tests are what keeps the hashes bit-identical across the decoder change.
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "decoders/image_decoder.h"
#include "gtest/gtest.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Testdata(const std::string& name) {
  const std::vector<unsigned char> bytes =
      testing::ReadFileBytes(testing::TestdataPath("pdq/" + name));
  return Bytes(bytes.begin(), bytes.end());
}

// OpenCV's decode: JPEG as colour (reduced by 1/scale), others unchanged;
// then 16 -> 8 bits by 1/257, grey + alpha -> grey, BGRA -> BGR.
cv::Mat OpenCvPixels(const Bytes& bytes, bool jpeg, int scale) {
  int flags = cv::IMREAD_UNCHANGED;
  if (jpeg) {
    flags = scale == 8   ? cv::IMREAD_REDUCED_COLOR_8
            : scale == 4 ? cv::IMREAD_REDUCED_COLOR_4
            : scale == 2 ? cv::IMREAD_REDUCED_COLOR_2
                         : cv::IMREAD_COLOR;
    flags |= cv::IMREAD_IGNORE_ORIENTATION;
  }
  cv::Mat mat = cv::imdecode(bytes, flags);
  if (mat.depth() == CV_16U) mat.convertTo(mat, CV_8U, 1.0 / 257.0);
  cv::Mat out;
  if (mat.channels() == 2) {
    cv::extractChannel(mat, out, 0);
  } else if (mat.channels() == 4) {
    cv::cvtColor(mat, out, cv::COLOR_BGRA2BGR);
  } else {
    out = mat;
  }
  return out;
}

// Every byte of `view` equals `expected`; the first difference otherwise.
void ExpectSamePixels(const PixelView& view, const cv::Mat& expected,
                      const std::string& what) {
  ASSERT_FALSE(expected.empty()) << what;
  ASSERT_EQ(view.width, expected.cols) << what;
  ASSERT_EQ(view.height, expected.rows) << what;
  ASSERT_EQ(BytesPerPixel(view.format), expected.channels()) << what;
  const size_t row_bytes =
      static_cast<size_t>(view.width) * expected.channels();
  for (int y = 0; y < view.height; ++y) {
    const uint8_t* got = view.data + y * view.stride;
    const uint8_t* want = expected.ptr<uint8_t>(y);
    for (size_t i = 0; i < row_bytes; ++i) {
      ASSERT_EQ(got[i], want[i]) << what << ": row " << y << ", byte " << i;
    }
  }
}

void ExpectMatchesOpenCv(const Bytes& bytes, const std::string& what,
                         bool jpeg = false, int scale = 1,
                         int min_decoded_side = 0) {
  absl::StatusOr<DecodedImage> image = DecodeImage(bytes, {}, min_decoded_side);
  ASSERT_TRUE(image.ok()) << what << ": " << image.status();
  ExpectSamePixels(image->view(), OpenCvPixels(bytes, jpeg, scale), what);
}

class TestdataImage : public ::testing::TestWithParam<const char*> {};

TEST_P(TestdataImage, SamePixelsAsOpenCv) {
  const std::string name = GetParam();
  const bool jpeg = name.ends_with(".jpg");
  ExpectMatchesOpenCv(Testdata(name), name, jpeg);
}

INSTANTIATE_TEST_SUITE_P(
    AllFormats, TestdataImage,
    ::testing::Values("1.png", "CMYK.jpg", "F.webp", "HSV.webp", "I.webp",
                      "L.png", "LA.png", "LAB.webp", "P.png", "PA.webp",
                      "RGB.jpg", "RGBA.png", "YCbCr.jpg", "c-rgba16.png",
                      "pen-and-coaster.png", "q0003.jpg", "q0004.jpg",
                      "q0122.jpg", "q0291.jpg", "q0746.jpg", "q1050.jpg",
                      "q2821.jpg", "small.jpg", "square-128x128.jpg",
                      "square-256x256.jpg", "square-512x512.jpg", "wee.jpg",
                      "aaa-orig.jpg", "blur-a-lot.jpg", "shrink-a-lot.jpg"));

TEST(ImageDecoderOpenCvTest, ReducedJpegDecodesMatchOpenCvAtEveryScale) {
  for (const char* name :
       {"exif-rotn-6.jpg", "CMYK.jpg", "bridge-1-original.jpg"}) {
    const Bytes bytes = Testdata(name);
    const cv::Mat full = cv::imdecode(bytes, cv::IMREAD_COLOR);
    const int longer = std::max(full.cols, full.rows);
    for (const int scale : {2, 4, 8}) {
      // The smallest scale-down whose longer side is still >= the minimum.
      const int min_side = (longer + scale - 1) / scale;
      ExpectMatchesOpenCv(bytes,
                          std::string(name) + " 1/" + std::to_string(scale),
                          /*jpeg=*/true, scale, min_side);
    }
  }
}

TEST(ImageDecoderOpenCvTest, SyntheticPngsOfEveryDepthAndChannelCount) {
  cv::RNG rng(20261201);
  for (const int depth : {CV_8U, CV_16U}) {
    for (const int channels : {1, 3, 4}) {
      cv::Mat mat(37, 53, CV_MAKETYPE(depth, channels));
      rng.fill(mat, cv::RNG::UNIFORM, 0, depth == CV_8U ? 256 : 65536);
      Bytes png;
      ASSERT_TRUE(cv::imencode(".png", mat, png));
      ExpectMatchesOpenCv(png, "png depth " + std::to_string(depth) +
                                   " channels " + std::to_string(channels));
    }
  }
  cv::Mat bilevel(40, 61, CV_8UC1);
  rng.fill(bilevel, cv::RNG::UNIFORM, 0, 2);
  bilevel *= 255;
  Bytes png;
  ASSERT_TRUE(cv::imencode(".png", bilevel, png, {cv::IMWRITE_PNG_BILEVEL, 1}));
  ExpectMatchesOpenCv(png, "1-bit png");
}

TEST(ImageDecoderOpenCvTest, SyntheticJpegsAndWebps) {
  cv::RNG rng(7);
  cv::Mat colour(301, 203, CV_8UC3), grey(99, 131, CV_8UC1);
  rng.fill(colour, cv::RNG::UNIFORM, 0, 256);
  rng.fill(grey, cv::RNG::UNIFORM, 0, 256);
  for (const cv::Mat& mat : {colour, grey}) {
    Bytes jpeg, webp, lossless;
    ASSERT_TRUE(cv::imencode(".jpg", mat, jpeg));
    ExpectMatchesOpenCv(jpeg, "jpeg channels " + std::to_string(mat.channels()),
                        /*jpeg=*/true);
    ASSERT_TRUE(
        cv::imencode(".webp", mat, webp, {cv::IMWRITE_WEBP_QUALITY, 80}));
    ExpectMatchesOpenCv(webp, "lossy webp");
    ASSERT_TRUE(
        cv::imencode(".webp", mat, lossless, {cv::IMWRITE_WEBP_QUALITY, 101}));
    ExpectMatchesOpenCv(lossless, "lossless webp");
  }
}

}  // namespace
}  // namespace clearmatch
