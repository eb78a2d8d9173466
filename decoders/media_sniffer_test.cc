#include "decoders/media_sniffer.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

MediaFormat Sniff(std::string_view s) { return SniffMediaFormat(Bytes(s)); }

// ISO BMFF 'ftyp' box: size, type, major brand, minor version, compatibles.
std::string Ftyp(std::string_view major, std::string_view compatible) {
  const uint32_t size = 16 + compatible.size();
  std::string box = {0, 0, 0, static_cast<char>(size)};
  return box + "ftyp" + std::string(major) + std::string("\0\0\0\0", 4) +
         std::string(compatible);
}

TEST(MediaSnifferTest, EveryTestdataImageIsSniffedByItsExtension) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           clearmatch::testing::TestdataPath("pdq"))) {
    const std::string ext = entry.path().extension().string();
    MediaFormat expected;
    if (ext == ".jpg") {
      expected = MediaFormat::kJpeg;
    } else if (ext == ".png") {
      expected = MediaFormat::kPng;
    } else if (ext == ".webp") {
      expected = MediaFormat::kWebp;
    } else {
      continue;
    }
    EXPECT_EQ(SniffMediaFormat(
                  clearmatch::testing::ReadFileBytes(entry.path().string())),
              expected)
        << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

TEST(MediaSnifferTest, AllowedImagesAndVideos) {
  EXPECT_EQ(Sniff("GIF87a\x01\x00"), MediaFormat::kGif);
  EXPECT_EQ(Sniff("GIF89a\x01\x00"), MediaFormat::kGif);
  EXPECT_EQ(Sniff(std::string_view("\x1A\x45\xDF\xA3\x01\x00\x00\x00", 8)),
            MediaFormat::kMatroska);
  EXPECT_EQ(Sniff(Ftyp("isom", "isomiso2avc1mp41")), MediaFormat::kMp4);
  EXPECT_EQ(Sniff(Ftyp("qt  ", "qt  ")), MediaFormat::kMp4);
  for (std::string_view box : {"moov", "mdat", "wide", "free", "skip"}) {
    EXPECT_EQ(Sniff(std::string("\0\0\0\x08", 4) + std::string(box)),
              MediaFormat::kMp4)
        << box;
  }
  EXPECT_TRUE(IsAllowedImage(MediaFormat::kGif));
  EXPECT_TRUE(IsAllowedVideo(MediaFormat::kMp4));
  EXPECT_TRUE(IsAllowedVideo(MediaFormat::kMatroska));
  EXPECT_FALSE(IsAllowedImage(MediaFormat::kMp4));
  EXPECT_FALSE(IsAllowedVideo(MediaFormat::kJpeg));
}

TEST(MediaSnifferTest, RefusedFormatsAreNamed) {
  EXPECT_EQ(Sniff("BM\x36\x00\x0C\x00\x00\x00"), MediaFormat::kBmp);
  EXPECT_EQ(Sniff(std::string_view("II*\0\x08\0\0\0", 8)), MediaFormat::kTiff);
  EXPECT_EQ(Sniff(std::string_view("MM\0*\0\0\0\x08", 8)), MediaFormat::kTiff);
  EXPECT_EQ(Sniff(std::string_view("\x76\x2F\x31\x01\x02\0\0\0", 8)),
            MediaFormat::kOpenExr);
  EXPECT_EQ(Sniff("%PDF-1.7\n"), MediaFormat::kPdf);
  for (std::string_view brand :
       {"heic", "heix", "hevc", "mif1", "msf1", "avif", "avis"}) {
    EXPECT_EQ(Sniff(Ftyp(brand, "")), MediaFormat::kHeif) << brand;
  }
  // An image brand among the compatible brands also makes it HEIF.
  EXPECT_EQ(Sniff(Ftyp("isom", "mif1heic")), MediaFormat::kHeif);
  for (MediaFormat f :
       {MediaFormat::kBmp, MediaFormat::kTiff, MediaFormat::kOpenExr,
        MediaFormat::kHeif, MediaFormat::kPdf, MediaFormat::kUnknown}) {
    EXPECT_FALSE(IsAllowedImage(f)) << MediaFormatName(f);
    EXPECT_FALSE(IsAllowedVideo(f)) << MediaFormatName(f);
  }
  EXPECT_EQ(MediaFormatName(MediaFormat::kTiff), "tiff");
  EXPECT_EQ(MediaFormatName(MediaFormat::kHeif), "heif");
  EXPECT_EQ(MediaFormatName(MediaFormat::kOpenExr), "openexr");
  EXPECT_EQ(MediaFormatName(MediaFormat::kJpeg), "jpeg");
}

TEST(MediaSnifferTest, ShortOrUnknownBytesAreUnknown) {
  EXPECT_EQ(Sniff(""), MediaFormat::kUnknown);
  EXPECT_EQ(Sniff("\xFF\xD8"), MediaFormat::kUnknown);  // JPEG needs 3 bytes
  EXPECT_EQ(Sniff("\x89PNG"), MediaFormat::kUnknown);
  EXPECT_EQ(Sniff(std::string_view("RIFF\x04\0\0\0WAVE", 12)),
            MediaFormat::kUnknown);
  EXPECT_EQ(Sniff("GIF88a"), MediaFormat::kUnknown);
  EXPECT_EQ(Sniff("hello, world"), MediaFormat::kUnknown);
  EXPECT_EQ(Sniff(std::string_view("\0\0\0\x08", 4)), MediaFormat::kUnknown);
}

}  // namespace
}  // namespace clearmatch
