// Everyday edits of a banked video through a real daemon (issue 14): the
// video is banked by `clearmatch feed publish --add-media` (its vPDQ, as a
// platform banks confirmed media), then copies made by the ffmpeg CLI in a
// TempDir are checked over gRPC: mirrored, pillarboxed, and embedded between
// unrelated footage. Each must be flagged with the variant that matched, the
// video rule that decided and the time ranges in both videos, and recorded
// so for the reviewers.
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "clearmatch/v1/admin.grpc.pb.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "clearmatch/v1/review.grpc.pb.h"
#include "cli/command.h"
#include "gtest/gtest.h"
#include "testing/daemon_process.h"
#include "testing/grpc_deadline.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"
#include "testing/upload_check.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::DaemonProcess;
using ::clearmatch::testing::ReadTextFile;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::clearmatch::testing::UploadCheck;
using ::clearmatch::testing::WithDeadline;

constexpr char kBanked[] = "vpdq/pattern-hd-no-bar.mp4";  // 6.9 s
constexpr char kEntryId[] = "pattern-hd-no-bar.mp4-vpdq";
// Banked too: a video with black bars of its own (so its content inside them
// is banked as well, "-trimmed").
constexpr char kBarred[] = "vpdq/test-padded-dimensions.mp4";

class VideoEditsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ostringstream out, err;
    ASSERT_EQ(
        cli::RunFeedCommand({"keygen", "--out", dir_.File("keys")}, out, err),
        cli::kExitOk)
        << err.str();
    ASSERT_EQ(
        cli::RunFeedCommand(
            {"publish", "--key", dir_.File("keys/private.pem"), "--feed-dir",
             dir_.File("feed"), "--add-media", TestdataPath(kBanked),
             TestdataPath(kBarred), "--bank", "videos"},
            out, err),
        cli::kExitOk)
        << err.str();
    const std::string config = dir_.Write(
        "c.textproto", "sync_interval_seconds: 0\nfeeds { url: \"file://" +
                           dir_.File("feed") + "\" public_key_file: \"" +
                           dir_.File("keys/public.pem") + "\" }\n");
    daemon_ = std::make_unique<DaemonProcess>(std::vector<std::string>{
        "--config", config, "--data-dir", dir_.File("data")});
    ASSERT_TRUE(daemon_->started()) << daemon_->error();
    // The daemon's own uid has every role on its unix socket.
    auto local = grpc::CreateChannel(daemon_->unix_address(),
                                     grpc::InsecureChannelCredentials());
    grpc::ClientContext sync_context;
    v1::SyncFeedsResponse synced;
    ASSERT_TRUE(v1::Admin::NewStub(local)
                    ->SyncFeeds(WithDeadline(&sync_context), {}, &synced)
                    .ok());
    review_ = v1::Review::NewStub(local);
    matcher_ = v1::Matcher::NewStub(grpc::CreateChannel(
        daemon_->address(), grpc::InsecureChannelCredentials()));
  }

  // ffmpeg run with `arguments` between its input options and the output
  // file; the output's path.
  std::string Ffmpeg(const std::string& name, const std::string& arguments) {
    const std::string out = dir_.File(name);
    const std::string command = "ffmpeg -v error -nostdin -y " + arguments +
                                " -an -c:v libx264 -preset ultrafast '" + out +
                                "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return out;
  }

  // A banked video through the ffmpeg filter `filter`.
  std::string Edited(const std::string& name, const std::string& filter,
                     const char* source = kBanked) {
    return Ffmpeg(name,
                  "-i '" + TestdataPath(source) + "' -vf '" + filter + "'");
  }

  v1::CheckResponse Check(
      const std::string& path,
      v1::CheckOptions::Trim trim = v1::CheckOptions::TRIM_DEFAULT) {
    return UploadCheck(*matcher_, path.substr(path.rfind('/') + 1),
                       ReadTextFile(path), {.trim = trim});
  }

  // The vPDQ match on the entry `entry_id` (a failure and an empty match if
  // there is none).
  static v1::Match VpdqMatch(const v1::CheckResponse& response,
                             const std::string& entry_id = kEntryId) {
    for (const v1::Match& match : response.matches()) {
      if (match.hash_type() == "vpdq" && match.entry_id() == entry_id) {
        return match;
      }
    }
    ADD_FAILURE() << "no vPDQ match on " << entry_id << ": "
                  << response.ShortDebugString();
    return {};
  }

  // The review record of the content `content_id`.
  v1::MatchRecord Recorded(const std::string& content_id) {
    v1::ListMatchesResponse listed;
    grpc::ClientContext context;
    const grpc::Status status =
        review_->ListMatches(WithDeadline(&context), {}, &listed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const v1::MatchRecord& record : listed.matches()) {
      if (record.content_id() == content_id) return record;
    }
    ADD_FAILURE() << content_id << " is not in the review queue";
    return {};
  }

  const TempDir dir_{"clearmatch-video-edits-it"};
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<v1::Matcher::Stub> matcher_;
  std::unique_ptr<v1::Review::Stub> review_;
};

TEST_F(VideoEditsTest, MirroredCopyIsBlockedThroughItsMirrorVariant) {
  const v1::CheckResponse response = Check(Edited("mirror.mp4", "hflip"));
  EXPECT_EQ(response.decision(), v1::BLOCK);
  const v1::Match match = VpdqMatch(response);
  EXPECT_EQ(match.transform(), "flipy");
  EXPECT_TRUE(match.reference_rule_match());
  EXPECT_GE(match.query_pct(), 80);
  EXPECT_EQ(Recorded("mirror.mp4").matches(0).transform(), "flipy");
}

TEST_F(VideoEditsTest, PillarboxedCopyIsBlockedThroughItsTrimmedFrames) {
  const std::string path = Edited(
      "pillarbox.mp4", "pad=trunc(iw*4/3/2)*2:ih:(ow-iw)/2:0:color=0x306090");
  const v1::CheckResponse response = Check(path);
  EXPECT_EQ(response.decision(), v1::BLOCK);
  EXPECT_EQ(VpdqMatch(response).transform(), "trimmed");
  // The response lists the trimmed frames beside the frames as decoded.
  int trimmed = 0, original = 0;
  for (const v1::VpdqFrameHash& frame : response.hashes().vpdq()) {
    if (frame.transform() == "trimmed") ++trimmed;
    if (frame.transform().empty()) ++original;
  }
  EXPECT_GT(original, 0);
  EXPECT_EQ(trimmed, original);

  // Without trimming the bars keep every frame far from the bank.
  EXPECT_EQ(Check(path, v1::CheckOptions::TRIM_OFF).decision(), v1::ALLOW);
}

TEST_F(VideoEditsTest, LetterboxedCopyOfABarredVideoMatchesItsBankedContent) {
  // More black bars on a video with black bars: the Check trims both, down
  // to the content, which only the banked content entry has.
  const std::string path =
      Edited("padded-letterbox.mp4",
             "pad=iw:trunc(ih*4/3/2)*2:0:(oh-ih)/2:black", kBarred);
  const v1::CheckResponse response = Check(path);
  EXPECT_EQ(response.decision(), v1::BLOCK);
  const v1::Match match =
      VpdqMatch(response, "test-padded-dimensions.mp4-vpdq-trimmed");
  EXPECT_EQ(match.transform(), "trimmed");
  EXPECT_GE(match.query_pct(), 80);
  // And the video as banked with its own bars (a clearinghouse's hash): a
  // reading that trims the added bars only.
  const v1::Match whole =
      VpdqMatch(response, "test-padded-dimensions.mp4-vpdq");
  EXPECT_EQ(whole.transform(), "trimmed");
  EXPECT_GE(whole.query_pct(), 80);
}

TEST_F(VideoEditsTest, EmbeddedCopyIsBlockedWithItsRangeInBothVideos) {
  // 8 s of an unrelated video, the banked video (6.9 s), 8 s more: the
  // banked frames are under a third of the upload's, so the reference rule
  // (80% of the upload's frames) fails; the shared segment decides.
  const std::string other =
      TestdataPath("vpdq/chair-22-with-large-logo-bar.mp4");
  const std::string scale = "scale=640:360,setsar=1,fps=30,format=yuv420p";
  const std::string path =
      Ffmpeg("embedded.mp4", "-t 8 -i '" + other + "' -i '" +
                                 TestdataPath(kBanked) + "' -ss 10 -t 8 -i '" +
                                 other + "' -filter_complex '[0:v]" + scale +
                                 "[a];[1:v]" + scale + "[b];[2:v]" + scale +
                                 "[c];[a][b][c]concat=n=3:v=1:a=0'");
  const v1::CheckResponse response = Check(path);
  EXPECT_EQ(response.decision(), v1::BLOCK);
  const v1::Match match = VpdqMatch(response);
  EXPECT_FALSE(match.reference_rule_match());
  EXPECT_EQ(match.video_rule(), v1::Match::BANKED_IN_UPLOAD);
  ASSERT_EQ(match.query_ranges_size(), 1);
  ASSERT_EQ(match.target_ranges_size(), 1);
  // Within one sampling interval (1 s) of where the banked video is.
  EXPECT_NEAR(match.query_ranges(0).start_seconds(), 8.0, 1.0);
  EXPECT_NEAR(match.query_ranges(0).end_seconds(), 14.9, 1.0);
  EXPECT_NEAR(match.target_ranges(0).start_seconds(), 0.0, 1.0);
  EXPECT_NEAR(match.target_ranges(0).end_seconds(), 6.9, 1.0);

  const v1::MatchRecord record = Recorded("embedded.mp4");
  ASSERT_EQ(record.matches_size(), 1);
  EXPECT_EQ(record.matches(0).video_rule(), v1::Match::BANKED_IN_UPLOAD);
  EXPECT_EQ(record.matches(0).query_ranges_size(), 1);
}

}  // namespace
}  // namespace clearmatch
