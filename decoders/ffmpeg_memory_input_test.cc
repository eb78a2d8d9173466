// FfmpegMemoryInput's nested-open guard, reached directly. No container
// that the video sampler allows opens another file with FFmpeg's defaults
// (mov follows external data references only with enable_drefs, off by
// default), and the playlist demuxers (hls, concat) are refused by the
// allow-list before they run, so BadVideoTest.PlaylistsOpenNothing never
// reaches the guard. Here the test calls the AVFormatContext's io_open
// hook exactly as a demuxer does for a nested open (hls segments, dash
// fragments, mov drefs, concat entries all go through it) and checks that
// the guard refuses, counts, and leaves the file untouched.
#include "decoders/ffmpeg_memory_input.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/open_watch.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch::decoders_internal {
namespace {

using ::clearmatch::testing::OpenWatch;

TEST(FfmpegMemoryInputTest, NestedOpensAreRefusedByTheGuard) {
  const std::string video =
      clearmatch::testing::TestdataPath("vpdq/chair-19-sd-bar.mp4");
  const std::vector<unsigned char> file =
      clearmatch::testing::ReadFileBytes(video);
  const std::vector<uint8_t> bytes(file.begin(), file.end());
  const clearmatch::testing::TempDir dir("clearmatch-memory-input");
  const std::string sentinel = dir.File("sentinel.mp4");
  std::filesystem::copy_file(video, sentinel);

  FfmpegMemoryInput::Options options;
  options.allowed_formats = {"mov,mp4,m4a,3gp,3g2,mj2"};
  auto input = FfmpegMemoryInput::Open(bytes, options);
  ASSERT_TRUE(input.ok()) << input.status();
  EXPECT_EQ((*input)->refused_opens(), 0);  // a plain MP4 opens nothing
  AVFormatContext* format = (*input)->format_context();
  ASSERT_NE(format->io_open, nullptr);

  OpenWatch watch(sentinel);
  int expected_refusals = 0;
  for (const std::string& url : {sentinel, "file:" + sentinel}) {
    SCOPED_TRACE(url);
    AVIOContext* nested = nullptr;
    const int opened =
        format->io_open(format, &nested, url.c_str(), AVIO_FLAG_READ, nullptr);
    EXPECT_EQ(opened, AVERROR(EPERM)) << AvErrorString(opened);
    EXPECT_EQ(nested, nullptr);
    EXPECT_EQ((*input)->refused_opens(), ++expected_refusals);
  }
  EXPECT_FALSE(watch.Touched()) << "the guard let FFmpeg open " << sentinel;
}

}  // namespace
}  // namespace clearmatch::decoders_internal
