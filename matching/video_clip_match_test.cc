// Clips and embeddings of real videos (docs/DAEMON.md, "Videos"): videos of
// tests/testdata cut and joined by the ffmpeg CLI at test time in a TempDir,
// hashed by the MediaFingerprinter as a Check hashes them, and matched by the
// Matcher against vPDQ entries of the banked videos.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fingerprint/media_fingerprinter.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "index/index_builder.h"
#include "matching/matcher.h"
#include "matching/query.h"
#include "testing/pdq_codes.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::testing::IsEmpty;

// Lengths of the testdata videos used (ffprobe), in seconds.
constexpr double kChair19Seconds = 18.816;  // chair-19-sd-bar
constexpr double kPaddedSeconds = 5.0;      // test-padded-dimensions
// One hash a second (the default sampling): ranges are frame times, so the
// truth is within one interval of them.
constexpr double kInterval = 1.0;

// "clips" banks the 33.7 s video "long" (chair-22, pattern, doorknob) with
// the vPDQ README's target threshold, where a clip does not pass the
// reference rule; "main" banks "short" (chair-19, 18.8 s) with the defaults
// (Q 80, T 0).
constexpr char kPolicies[] = R"(
  banks { bank: "clips" policy { vpdq_target_pct: 80 } }
)";
constexpr char kSegmentsOff[] = R"(
  banks { bank: "clips" policy { vpdq_target_pct: 80 min_segment_seconds: 0 } }
  banks { bank: "main" policy { min_segment_seconds: 0 } }
)";

// Runs ffmpeg joining `inputs` (testdata paths), each scaled to 240x360 at
// 10 fps (the last one mirrored when `flip_last`), into `out`.
void Join(const std::vector<std::string>& inputs, const std::string& out,
          bool flip_last = false) {
  std::string command = "ffmpeg -v error -nostdin -y";
  std::string filter;
  for (size_t i = 0; i < inputs.size(); ++i) {
    absl::StrAppend(&command, " -i '", inputs[i], "'");
    const bool flip = flip_last && i + 1 == inputs.size();
    absl::StrAppend(&filter, "[", i, ":v]scale=240:360,setsar=1,fps=10",
                    flip ? ",hflip" : "", "[v", i, "];");
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    absl::StrAppend(&filter, "[v", i, "]");
  }
  absl::StrAppend(&filter, "concat=n=", inputs.size(), ":v=1:a=0[out]");
  absl::StrAppend(&command, " -filter_complex '", filter,
                  "' -map '[out]' -c:v libx264 -preset ultrafast '", out, "'");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

// Cuts [start, start + length) seconds of `in` into `out` (re-encoded, so
// the cut is exact).
void Cut(const std::string& in, double start, double length,
         const std::string& out) {
  const std::string command = absl::StrCat(
      "ffmpeg -v error -nostdin -y -ss ", start, " -t ", length, " -i '", in,
      "' -an -c:v libx264 -preset ultrafast '", out, "'");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

// The video's frames as a Check hashes them (cached per path).
const std::vector<VpdqFeature>& Hash(const std::string& path) {
  static auto* cache = new std::map<std::string, std::vector<VpdqFeature>>();
  auto it = cache->find(path);
  if (it != cache->end()) return it->second;
  auto fingerprinter = MediaFingerprinter::Create({});
  EXPECT_TRUE(fingerprinter.ok()) << fingerprinter.status();
  const std::vector<unsigned char> bytes = testing::ReadFileBytes(path);
  absl::StatusOr<MediaFingerprint> fp = (*fingerprinter)->Fingerprint(bytes);
  EXPECT_TRUE(fp.ok() && fp->vpdq.has_value()) << path << ": " << fp.status();
  std::vector<VpdqFeature> features;
  if (fp.ok() && fp->vpdq) features = fp->vpdq->features;
  return (*cache)[path] = std::move(features);
}

VerdictPolicy Policy(const std::string& text) {
  v1::DaemonConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config));
  absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create(config);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return *std::move(policy);
}

// The videos, made on first use (ffmpeg takes a few seconds each) into one
// TempDir for the test process.
class VideoClipMatchTest : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static const TempDir& Dir() {
    if (dir_ == nullptr) dir_ = new TempDir("clearmatch-clips");
    return *dir_;
  }
  static std::string Testdata(const std::string& name) {
    return TestdataPath("vpdq/" + name + ".mp4");
  }
  // The path of video `name`, made when missing.
  static std::string Video(const std::string& name) {
    const std::string path = Dir().File(name + ".mp4");
    if (std::filesystem::exists(path)) return path;
    if (name == "long") {
      Join({Testdata("chair-22-with-large-logo-bar"),
            Testdata("pattern-hd-no-bar"), Testdata("doorknob-hd-no-bar")},
           path);
    } else if (name == "short") {
      Join({Testdata("chair-19-sd-bar")}, path);
    } else if (name == "inside") {
      // "short" between unrelated videos (the second one mirrored, so
      // that its frames are not the first one's again).
      Join({Testdata("test-padded-dimensions"), Testdata("chair-19-sd-bar"),
            Testdata("test-padded-dimensions")},
           path, /*flip_last=*/true);
    } else if (name == "clip5") {
      Cut(Video("long"), 10, 5, path);
    } else if (name == "clip2") {
      Cut(Video("long"), 10, 2, path);
    }
    return path;
  }

  // The matches of the video at `path` against the banked videos
  // `banked` ("long" in bank "clips", "short" in "main").
  std::vector<v1::Match> Matches(const std::string& path,
                                 const std::vector<std::string>& banked,
                                 const std::string& policy_text = kPolicies) {
    std::vector<HashEntry> entries;
    for (const std::string& name : banked) {
      entries.push_back(testing::VpdqEntry(Hash(Video(name)), name,
                                           name == "long" ? "clips" : "main"));
    }
    absl::StatusOr<std::shared_ptr<const IndexSnapshot>> snapshot =
        IndexBuilder(IndexBuilder::Options{}).Build(std::move(entries), 1);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    if (!snapshot.ok()) return {};
    MediaFingerprint fp;
    fp.vpdq.emplace();
    fp.vpdq->features = Hash(path);
    const VerdictPolicy policy = Policy(policy_text);
    absl::StatusOr<std::vector<v1::Match>> matches =
        Matcher(policy).FindMatches(
            **snapshot, Query::FromFingerprint(fp, false), Matcher::Options{});
    EXPECT_TRUE(matches.ok()) << matches.status();
    return matches.ok() ? *matches : std::vector<v1::Match>{};
  }

  static TempDir* dir_;
};

TempDir* VideoClipMatchTest::dir_ = nullptr;

TEST_F(VideoClipMatchTest, FiveSecondClipIsReviewedWithItsRanges) {
  const std::string clip5 = Video("clip5");
  ASSERT_GE(Hash(Video("long")).size(), 33u);
  const std::vector<v1::Match> matches = Matches(clip5, {"long"});
  ASSERT_EQ(matches.size(), 1u);
  const v1::Match& clip = matches[0];
  EXPECT_EQ(clip.entry_id(), "long");
  EXPECT_EQ(clip.decision(), v1::REVIEW);
  EXPECT_EQ(clip.video_rule(), v1::Match::UPLOAD_IN_BANKED);
  EXPECT_FALSE(clip.reference_rule_match());
  EXPECT_LT(clip.target_pct(), 80);
  EXPECT_NEAR(clip.segment_seconds(), 5, kInterval);
  // The clip is 0..5 s of the upload and 10..15 s of the banked video.
  ASSERT_EQ(clip.query_ranges_size(), 1);
  EXPECT_NEAR(clip.query_ranges(0).start_seconds(), 0, kInterval);
  EXPECT_NEAR(clip.query_ranges(0).end_seconds(), 5, kInterval);
  ASSERT_EQ(clip.target_ranges_size(), 1);
  EXPECT_NEAR(clip.target_ranges(0).start_seconds(), 10, kInterval);
  EXPECT_NEAR(clip.target_ranges(0).end_seconds(), 15, kInterval);

  // min_segment_seconds 0 turns the segment rules off.
  EXPECT_THAT(Matches(clip5, {"long"}, kSegmentsOff), IsEmpty());
  // With the defaults (Q 80, T 0) the clip passes the reference rule.
  const std::vector<v1::Match> reference = Matches(clip5, {"long"}, "");
  ASSERT_EQ(reference.size(), 1u);
  EXPECT_EQ(reference[0].decision(), v1::BLOCK);
  EXPECT_EQ(reference[0].video_rule(), v1::Match::PERCENTAGE);
  EXPECT_TRUE(reference[0].reference_rule_match());
}

TEST_F(VideoClipMatchTest, BankedVideoInsideALongerOneTakesTheAction) {
  const std::string inside = Video("inside");
  const std::vector<v1::Match> matches = Matches(inside, {"short"});
  ASSERT_EQ(matches.size(), 1u);
  const v1::Match& match = matches[0];
  EXPECT_EQ(match.entry_id(), "short");
  EXPECT_EQ(match.decision(), v1::BLOCK);
  EXPECT_EQ(match.video_rule(), v1::Match::BANKED_IN_UPLOAD);
  EXPECT_FALSE(match.reference_rule_match());  // under 80% of the upload
  EXPECT_LT(match.query_pct(), 80);
  EXPECT_NEAR(match.segment_seconds(), kChair19Seconds, kInterval);
  // chair-19 is at 5..23.8 s of the upload, all of the banked video.
  ASSERT_EQ(match.query_ranges_size(), 1);
  EXPECT_NEAR(match.query_ranges(0).start_seconds(), kPaddedSeconds, kInterval);
  EXPECT_NEAR(match.query_ranges(0).end_seconds(),
              kPaddedSeconds + kChair19Seconds, kInterval);
  ASSERT_EQ(match.target_ranges_size(), 1);
  EXPECT_NEAR(match.target_ranges(0).start_seconds(), 0, kInterval);
  EXPECT_NEAR(match.target_ranges(0).end_seconds(), kChair19Seconds, kInterval);

  EXPECT_THAT(Matches(inside, {"short"}, kSegmentsOff), IsEmpty());
}

TEST_F(VideoClipMatchTest, TwoSecondClipAndUnrelatedVideosAreNotFlagged) {
  EXPECT_THAT(Matches(Video("clip2"), {"long"}), IsEmpty());
  EXPECT_THAT(Matches(Testdata("chair-19-sd-bar"), {"long"}), IsEmpty());
  EXPECT_THAT(Matches(Testdata("test-padded-dimensions"), {"long"}), IsEmpty());
}

}  // namespace
}  // namespace clearmatch
