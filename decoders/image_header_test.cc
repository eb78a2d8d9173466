#include "decoders/image_header.h"

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

std::vector<uint8_t> Bytes(std::string_view s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}
// A string literal's bytes, embedded NULs included.
template <size_t N>
std::vector<uint8_t> Bytes(const char (&literal)[N]) {
  return std::vector<uint8_t>(literal, literal + N - 1);
}

// Logical screen descriptor (no palette) then `rest`.
std::vector<uint8_t> Gif(int width, int height, std::string_view rest) {
  std::string gif = "GIF89a";
  gif += {static_cast<char>(width & 0xFF),
          static_cast<char>(width >> 8),
          static_cast<char>(height & 0xFF),
          static_cast<char>(height >> 8),
          0,
          0,
          0};
  gif += rest;
  return Bytes(gif);
}

TEST(ImageHeaderTest, DimensionsMatchOpenCvForEveryTestdataImage) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           clearmatch::testing::TestdataPath("pdq"))) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".jpg" && ext != ".png" && ext != ".webp") continue;
    const std::vector<uint8_t> bytes =
        clearmatch::testing::ReadFileBytes(entry.path().string());
    // IMREAD_UNCHANGED applies no EXIF orientation: stored dimensions.
    const cv::Mat decoded = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(decoded.empty()) << entry.path();
    absl::StatusOr<ImageHeaderInfo> header = ReadImageHeader(bytes);
    ASSERT_TRUE(header.ok()) << entry.path() << ": " << header.status();
    EXPECT_EQ(header->width, decoded.cols) << entry.path();
    EXPECT_EQ(header->height, decoded.rows) << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

TEST(ImageHeaderTest, GifTakesTheLargerOfScreenAndFirstImage) {
  // Extension block (graphic control) before the image descriptor, which
  // places a 30x5 image at (20, 0) on a 40x30 screen: extent 50x30.
  const std::string rest =
      std::string("\x21\xF9\x04\x00\x00\x00\x00\x00", 8) +
      std::string("\x2C\x14\x00\x00\x00\x1E\x00\x05\x00\x00", 10);
  absl::StatusOr<ImageHeaderInfo> header = ReadImageHeader(Gif(40, 30, rest));
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->width, 50);
  EXPECT_EQ(header->height, 30);
}

TEST(ImageHeaderTest, GifWithGlobalPaletteIsSkipped) {
  // Flags 0x80: global palette of 2 entries (6 bytes), then the image.
  std::string gif = "GIF87a";
  gif += std::string("\x03\x00\x02\x00\x80\x00\x00", 7) + std::string(6, 'p') +
         std::string("\x2C\x00\x00\x00\x00\x03\x00\x02\x00\x00", 10);
  absl::StatusOr<ImageHeaderInfo> header = ReadImageHeader(Bytes(gif));
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->width, 3);
  EXPECT_EQ(header->height, 2);
}

TEST(ImageHeaderTest, TruncatedOrMalformedHeadersAreInvalid) {
  struct Case {
    std::string name;
    std::vector<uint8_t> bytes;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"jpeg SOI only", Bytes("\xFF\xD8\xFF"), "jpeg: truncated before SOF"},
      {"jpeg segment past end", Bytes("\xFF\xD8\xFF\xE0\x40\x10JFIF"),
       "past the end"},
      {"jpeg scan before SOF", Bytes("\xFF\xD8\xFF\xDA\x00\x02"),
       "before any SOF"},
      {"jpeg garbage between segments", Bytes("\xFF\xD8\xFF\xE0\x00\x02zz"),
       "expected a marker"},
      {"png no IHDR", Bytes("\x89PNG\r\n\x1A\n"), "png: truncated"},
      {"png wrong first chunk",
       Bytes(std::string("\x89PNG\r\n\x1A\n\0\0\0\x0DIDAT", 16) +
             std::string(16, '\0')),
       "expected IHDR"},
      {"webp short", Bytes("RIFF\x04\x00\x00\x00WEBP"), "webp: truncated"},
      {"webp unknown chunk",
       Bytes(std::string("RIFF\x20\0\0\0WEBPXXXX\x10\0\0\0", 20) +
             std::string(16, '\0')),
       "unexpected first chunk"},
      {"gif short", Bytes("GIF89a\x01"), "gif: truncated"},
      {"gif no image", Gif(4, 4, "\x3B"), "unexpected block 0x3b"},
      {"gif zero size", Gif(0, 0, std::string("\x2C\0\0\0\0\0\0\0\0\0", 10)),
       "zero dimension"},
      {"not an image", Bytes("%PDF-1.4"), "pdf"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ImageHeaderInfo> header = ReadImageHeader(c.bytes);
    EXPECT_EQ(header.status().code(), absl::StatusCode::kInvalidArgument)
        << c.name;
    EXPECT_THAT(std::string(header.status().message()), HasSubstr(c.message))
        << c.name;
  }
}

TEST(ImageHeaderTest, ZeroDimensionJpegIsInvalid) {
  // SOF0 with height 0 (a DNL-defined height, which we do not accept).
  const std::string jpeg = std::string("\xFF\xD8\xFF\xC0\x00\x0B\x08", 7) +
                           std::string("\x00\x00\x00\x10\x01\x01\x11\x00", 8);
  absl::StatusOr<ImageHeaderInfo> header = ReadImageHeader(Bytes(jpeg));
  EXPECT_EQ(header.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(header.status().message()),
              HasSubstr("zero dimension in header (16x0)"));
}

}  // namespace
}  // namespace clearmatch
