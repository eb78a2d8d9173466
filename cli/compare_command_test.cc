#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch::cli {
namespace {

using ::clearmatch::testing::TestdataPath;
using ::testing::HasSubstr;

struct CompareResult {
  int exit_code;
  std::string out;
  std::string err;
};

CompareResult Compare(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = RunCompareCommand(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(CompareCommandTest, AFramedCopyIsFoundThroughItsTrimmedContent) {
  const testing::TempDir dir;
  const std::string framed = dir.path() + "/framed.png";
  ASSERT_EQ(std::system(("ffmpeg -v error -y -i '" +
                         TestdataPath("pdq/bridge-1-original.jpg") +
                         "' -vf pad=iw+200:ih+120:100:60:color=black '" +
                         framed + "'")
                            .c_str()),
            0);
  CompareResult r =
      Compare({"--json", framed, TestdataPath("pdq/bridge-1-original.jpg")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"best_transform\": \"trimmed\""));
  EXPECT_THAT(r.out, HasSubstr("\"match\": \"yes\""));
  // The other way round: B's trimmed content is A.
  r = Compare({TestdataPath("pdq/bridge-1-original.jpg"), framed});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("original (to B trimmed)"));
  r = Compare({"--json", "--no-trim", framed,
               TestdataPath("pdq/bridge-1-original.jpg")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"match\": \"no\""));
}

TEST(CompareCommandTest, RotatedImageIsFoundThroughItsDihedralVariant) {
  CompareResult r =
      Compare({"--json", TestdataPath("pdq/bridge-1-original.jpg"),
               TestdataPath("pdq/bridge-2-rotate-90.jpg")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"best_transform\": \"rot90\""));
  EXPECT_THAT(r.out, HasSubstr("\"match\": \"yes\""));
  // Without the variants the two are unrelated (the reference hashes of the
  // two files are 118 bits apart).
  const size_t at = r.out.find("\"distance\": ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::stoi(r.out.substr(at + 12)), 31);
}

TEST(CompareCommandTest, UnrelatedImagesDoNotMatch) {
  CompareResult r =
      Compare({TestdataPath("pdq/q0122.jpg"), TestdataPath("pdq/q2821.jpg")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("no match"));
}

TEST(CompareCommandTest, VideoMatchesItselfAndNotAnotherVideo) {
  const std::string chair = TestdataPath("vpdq/chair-19-sd-bar.mp4");
  CompareResult same = Compare({"--json", chair, chair});
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_THAT(same.out, HasSubstr("\"query_pct\": 100.00"));
  EXPECT_THAT(same.out, HasSubstr("\"target_pct\": 100.00"));
  EXPECT_THAT(same.out, HasSubstr("\"match\": \"yes\""));
  EXPECT_THAT(same.out, HasSubstr("\"query_ranges\": [{\"start\": 0.000"));
  // The whole video is the longest segment it shares with itself.
  EXPECT_THAT(same.out, HasSubstr("\"segment\": {\"a\": [{\"start\": 0.000"));
  EXPECT_THAT(same.out, HasSubstr("\"pct_of_a\": 100.00"));
  EXPECT_THAT(same.out, HasSubstr("\"pct_of_b\": 100.00"));

  CompareResult other =
      Compare({"--json", chair, TestdataPath("vpdq/pattern-hd-no-bar.mp4")});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_THAT(other.out, HasSubstr("\"match\": \"no\""));
  EXPECT_THAT(other.out, HasSubstr("\"segment\": null"));
}

TEST(CompareCommandTest, MirroredAndPillarboxedVideosAreFoundThroughAVariant) {
  const testing::TempDir dir;
  const std::string original = TestdataPath("vpdq/pattern-hd-no-bar.mp4");
  const auto edited = [&](const std::string& name, const std::string& filter) {
    const std::string out = dir.path() + "/" + name;
    EXPECT_EQ(std::system(("ffmpeg -v error -nostdin -y -i '" + original +
                           "' -an -vf '" + filter +
                           "' -c:v libx264 -preset ultrafast '" + out + "'")
                              .c_str()),
              0);
    return out;
  };
  const std::string mirrored = edited("mirror.mp4", "hflip");
  CompareResult r = Compare({"--json", mirrored, original});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"best_transform\": \"flipy\""));
  EXPECT_THAT(r.out, HasSubstr("\"match\": \"yes\""));

  const std::string boxed = edited(
      "boxed.mp4", "pad=trunc(iw*4/3/2)*2:ih:(ow-iw)/2:0:color=0x306090");
  r = Compare({"--json", boxed, original});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"best_transform\": \"trimmed\""));
  EXPECT_THAT(r.out, HasSubstr("\"match\": \"yes\""));
  // The other way round: B's trimmed frames are A's.
  r = Compare({original, boxed});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out,
              HasSubstr("closest variant of A: original (to B trimmed)"));
  EXPECT_THAT(r.out, HasSubstr("\nmatch ("));
  r = Compare({"--json", "--no-trim", boxed, original});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"match\": \"no\""));
}

TEST(CompareCommandTest, ImageTakenFromAVideoFindsItsFrame) {
  // A frame 2 s into the video, extracted by the ffmpeg CLI as a PNG fixture.
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "clearmatch_compare_test";
  std::filesystem::create_directories(dir);
  const std::string png = (dir / "frame.png").string();
  const std::string video = TestdataPath("vpdq/chair-19-sd-bar.mp4");
  const std::string command =
      "ffmpeg -v error -y -ss 2 -i '" + video + "' -frames:v 1 '" + png + "'";
  ASSERT_EQ(std::system(command.c_str()), 0);
  CompareResult r = Compare({png, video});
  std::filesystem::remove_all(dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("frame(s) of the video match the image"));
  EXPECT_THAT(r.out, HasSubstr("at 2.000 s"));
}

TEST(CompareCommandTest, UsageAndUnreadableInput) {
  EXPECT_EQ(Compare({"only-one"}).exit_code, 2);
  EXPECT_EQ(Compare({"--bogus", "a", "b"}).exit_code, 2);
  CompareResult r =
      Compare({"/nonexistent.jpg", TestdataPath("pdq/q0122.jpg")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent.jpg: error:"));
}

}  // namespace
}  // namespace clearmatch::cli
