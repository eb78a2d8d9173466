// Tests of ReviewRecorder against a real SqliteReviewStore: what a Check's
// response says about its review record (NOT_NEEDED, QUEUED,
// NOT_RECORDED when the store refuses it), the hashes_from_caller flag,
// the allowlist by the hash of the kind that matched, and the metrics.
#include "daemon/review_recorder.h"

#include <memory>
#include <string>
#include <vector>

#include "config/daemon_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matching/verdict_policy.h"
#include "review/sqlite_review_store.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

constexpr char kSha256[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kPdq[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
constexpr char kOtherPdq[] =
    "0707f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

VerdictPolicy Policy() {
  v1::DaemonConfig config;
  ApplyDaemonConfigDefaults(&config);
  return *VerdictPolicy::Create(config);
}

v1::Match MatchOf(const std::string& hash_type) {
  v1::Match match;
  match.set_bank("tid");
  match.set_entry_id("e1");
  match.set_hash_type(hash_type);
  match.set_transform("original");
  match.set_decision(v1::BLOCK);
  return match;
}

v1::Hashes Hashes(const std::string& pdq) {
  v1::Hashes hashes;
  hashes.set_md5("900150983cd24fb0d6963f7d28e17f72");
  hashes.set_sha1("a9993e364706816aba3e25717850c26c9cd0d89d");
  hashes.set_sha256(kSha256);
  hashes.add_pdq()->set_hash(pdq);
  return hashes;
}

class ReviewRecorderTest : public ::testing::Test {
 protected:
  void Open(size_t max_queued_records) {
    SqliteReviewStore::Options options;
    options.path = dir_.File("review.sqlite");
    options.max_queued_records = max_queued_records;
    auto store = SqliteReviewStore::Create(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    recorder_ = std::make_unique<ReviewRecorder>(*store_, policy_);
  }
  // The response Check would give for `matches` of `content`.
  v1::CheckResponse Respond(const v1::Hashes& content, bool from_caller,
                            std::vector<v1::Match> matches) {
    v1::CheckResponse response;
    response.set_decision(VerdictPolicy::Conclude(content, from_caller,
                                                  recorder_.get(), matches));
    for (v1::Match& m : matches) *response.add_matches() = std::move(m);
    return response;
  }
  v1::CheckRequest Request(bool media) {
    v1::CheckRequest request;
    request.set_context(v1::UPLOAD);
    if (media) request.set_media("bytes");
    return request;
  }
  // FALSE_POSITIVE on the newest record.
  void DecideFalsePositive() {
    store_->Flush();
    auto listed = store_->ListMatches({});
    ASSERT_TRUE(listed.ok()) << listed.status();
    ASSERT_GE(listed->matches_size(), 1);
    v1::DecideRequest decide;
    decide.set_match_id(listed->matches(0).match_id());
    decide.set_outcome(v1::FALSE_POSITIVE);
    decide.set_reviewer("alice");
    ASSERT_TRUE(store_->Decide(decide).ok());
  }

  const VerdictPolicy policy_ = Policy();
  ::clearmatch::testing::TempDir dir_;
  std::unique_ptr<ReviewStore> store_;
  std::unique_ptr<ReviewRecorder> recorder_;
};

TEST_F(ReviewRecorderTest, TheResponseSaysWhetherTheVerdictWasRecorded) {
  Open(/*max_queued_records=*/1);
  const v1::Hashes content = Hashes(kPdq);
  EXPECT_EQ(
      recorder_->Record(Request(true), content, Respond(content, false, {})),
      v1::CheckResponse::NOT_NEEDED);
  const v1::CheckResponse blocked = Respond(content, false, {MatchOf("pdq")});
  ASSERT_EQ(blocked.decision(), v1::BLOCK);
  EXPECT_EQ(recorder_->Record(Request(true), content, blocked),
            v1::CheckResponse::QUEUED);
  store_->Close();  // refuses everything from now on
  EXPECT_EQ(recorder_->Record(Request(true), content, blocked),
            v1::CheckResponse::NOT_RECORDED);
  EXPECT_THAT(recorder_->RenderPrometheus(),
              HasSubstr("clearmatch_review_records_total{result=\"not_"
                        "recorded\"} 1\n"));
}

TEST_F(ReviewRecorderTest, AFullQueueAnswersNotRecorded) {
  Open(/*max_queued_records=*/2);
  const v1::Hashes content = Hashes(kPdq);
  const v1::CheckResponse blocked = Respond(content, false, {MatchOf("pdq")});
  int queued = 0, not_recorded = 0;
  for (int i = 0; i < 2000; ++i) {
    const v1::CheckResponse::ReviewRecording r =
        recorder_->Record(Request(true), content, blocked);
    queued += r == v1::CheckResponse::QUEUED;
    not_recorded += r == v1::CheckResponse::NOT_RECORDED;
  }
  // Each record the store did not take was answered NOT_RECORDED, and
  // every QUEUED one is written.
  EXPECT_EQ(queued + not_recorded, 2000);
  EXPECT_GT(not_recorded, 0) << "a 2-record queue took 2000 at once";
  store_->Flush();
  const ReviewStore::Stats stats = store_->stats();
  EXPECT_EQ(stats.recorded, queued);
  EXPECT_EQ(stats.not_recorded, not_recorded);
}

TEST_F(ReviewRecorderTest, HashOnlyRecordsAreMarkedAndAllowlistNothing) {
  Open(100);
  const v1::Hashes sent = Hashes(kPdq);
  ASSERT_EQ(recorder_->Record(Request(false), sent,
                              Respond(sent, true, {MatchOf("pdq")})),
            v1::CheckResponse::QUEUED);
  DecideFalsePositive();
  auto listed = store_->ListMatches({});
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->matches(0).hashes_from_caller());
  // Still blocked, from the caller and from media alike.
  EXPECT_EQ(Respond(sent, true, {MatchOf("pdq")}).decision(), v1::BLOCK);
  EXPECT_EQ(Respond(sent, false, {MatchOf("pdq")}).decision(), v1::BLOCK);
}

TEST_F(ReviewRecorderTest, OnlyTheHashOfTheKindThatMatchedSuppresses) {
  Open(100);
  const v1::Hashes media = Hashes(kPdq);
  // Media matched e1 by its SHA-256 and by its PDQ hash; both cleared.
  ASSERT_EQ(recorder_->Record(
                Request(true), media,
                Respond(media, false, {MatchOf("sha256"), MatchOf("pdq")})),
            v1::CheckResponse::QUEUED);
  DecideFalsePositive();
  EXPECT_EQ(
      Respond(media, false, {MatchOf("sha256"), MatchOf("pdq")}).decision(),
      v1::ALLOW);
  // The laundering attempt: the cleared file's SHA-256 with another PDQ
  // hash that matches e1, in one hash-only request.
  const v1::Hashes laundered = Hashes(kOtherPdq);
  const v1::CheckResponse response =
      Respond(laundered, true, {MatchOf("sha256"), MatchOf("pdq")});
  EXPECT_EQ(response.decision(), v1::BLOCK);
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_EQ(response.matches(0).hash_type(), "pdq");
  EXPECT_THAT(recorder_->RenderPrometheus(),
              HasSubstr("clearmatch_review_allowlisted_matches_total 3\n"));
}

}  // namespace
}  // namespace clearmatch
