#include "decoders/gif_decoder.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

class GifDecoderTest : public ::testing::Test {
 protected:
  // Generates a GIF with the ffmpeg CLI; returns its bytes.
  std::vector<uint8_t> MakeGif(const std::string& args) {
    const std::string command = "cd '" + dir_.path() +
                                "' && ffmpeg -nostdin -v fatal -y " + args +
                                " out.gif";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::vector<unsigned char> bytes =
        testing::ReadFileBytes(dir_.File("out.gif"));
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
  }

  const testing::TempDir dir_{"clearmatch-gif-test"};
};

TEST_F(GifDecoderTest, DecodesFirstFrameAsBgr) {
  // Red for 1 s, then blue: the first frame is red everywhere.
  const std::vector<uint8_t> gif = MakeGif(
      "-f lavfi -i color=red:s=40x30:r=2:d=1 -f lavfi -i "
      "color=blue:s=40x30:r=2:d=1 -filter_complex concat=n=2:v=1");
  absl::StatusOr<DecodedImage> image = DecodeGifFirstFrame(gif, {});
  ASSERT_TRUE(image.ok()) << image.status();
  const PixelView& view = image->view();
  EXPECT_EQ(view.width, 40);
  EXPECT_EQ(view.height, 30);
  EXPECT_EQ(view.format, PixelFormat::kBgr);
  for (int y = 0; y < view.height; ++y) {
    for (int x = 0; x < view.width; ++x) {
      const uint8_t* p = view.data + y * view.stride + 3 * x;
      // The GIF encoder quantises to its 8-bit palette: red stays red.
      ASSERT_LE(p[0], 40) << x << "," << y;   // B
      ASSERT_LE(p[1], 40) << x << "," << y;   // G
      ASSERT_GE(p[2], 200) << x << "," << y;  // R
    }
  }
}

TEST_F(GifDecoderTest, LogicalScreenOverLimitRefusedBeforeDecoding) {
  std::vector<uint8_t> gif = MakeGif("-f lavfi -i color=red:s=16x16:d=0.1");
  gif[6] = gif[7] = gif[8] = gif[9] = 0xff;  // 65535x65535
  absl::StatusOr<DecodedImage> image = DecodeGifFirstFrame(gif, {});
  EXPECT_EQ(image.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(image.status().message(), HasSubstr("65535x65535"));
}

TEST_F(GifDecoderTest, PixelAndByteLimits) {
  const std::vector<uint8_t> gif =
      MakeGif("-f lavfi -i color=red:s=64x64:d=0.1");
  EXPECT_EQ(DecodeGifFirstFrame(gif, {.max_pixels = 1000}).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(DecodeGifFirstFrame(gif, {.max_bytes = 10}).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST_F(GifDecoderTest, MalformedInputIsInvalidArgument) {
  const std::vector<uint8_t> gif = MakeGif("-f lavfi -i testsrc=s=64x64:d=0.1");
  const std::vector<uint8_t> header_only(gif.begin(), gif.begin() + 13);
  const std::string png = "\x89PNG\r\n\x1a\n0000000000000000";
  for (const std::vector<uint8_t>& bytes :
       {std::vector<uint8_t>{}, header_only,
        std::vector<uint8_t>(png.begin(), png.end())}) {
    absl::StatusOr<DecodedImage> image = DecodeGifFirstFrame(bytes, {});
    EXPECT_EQ(image.status().code(), absl::StatusCode::kInvalidArgument)
        << bytes.size() << ": " << image.status();
  }
}

}  // namespace
}  // namespace clearmatch
