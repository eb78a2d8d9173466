// End to end with both clearinghouses: the real clearmatchd syncs from the
// project's NCMEC and StopNCII test servers on loopback (real HTTP), a
// Check on a banked image is BLOCK, a withdrawal or tombstone makes it
// ALLOW, reviewers' decisions reach the servers as feedback, a daemon killed
// in the middle of a sync loses nothing, `clearmatch source check` names
// the platform, and a credentials file others can read stops the start.
// Bank hashes are the reference values of tests/testdata.
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clearmatch/v1/admin.grpc.pb.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "clearmatch/v1/review.grpc.pb.h"
#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/daemon_process.h"
#include "testing/grpc_deadline.h"
#include "testing/ncmec_test_server.h"
#include "testing/stopncii_test_server.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"
#include "testing/upload_check.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::DaemonProcess;
using ::clearmatch::testing::NcmecTestServer;
using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::ReferencePdqHash;
using ::clearmatch::testing::StopNciiTestServer;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::clearmatch::testing::UploadCheck;
using ::clearmatch::testing::WithDeadline;
using ::testing::HasSubstr;

constexpr char kNcmecImage[] = "pdq/bridge-1-original.jpg";
constexpr char kStopNciiImage[] = "pdq/q1050.jpg";
constexpr char kReasonGuid[] = "2ab2d5b6-6c44-4b4f-9d6c-3f1e3c6a8d10";

std::string Bytes(const std::string& testdata) {
  const std::vector<unsigned char> bytes =
      ReadFileBytes(TestdataPath(testdata));
  return std::string(bytes.begin(), bytes.end());
}

// Polls `done` every 200 ms for at most `timeout`.
template <typename Predicate>
bool Eventually(Predicate done, absl::Duration timeout = absl::Seconds(30)) {
  const absl::Time give_up = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return true;
}

class ClearinghouseDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NcmecTestServer::Options ncmec_options;
    ncmec_options.page_size = 2;  // several pages per window
    ncmec_ = *NcmecTestServer::Start(ncmec_options);
    stopncii_ = *StopNciiTestServer::Start({});
    now_ = absl::ToUnixSeconds(absl::Now());
    ncmec_->Add(
        {.member_id = 42,
         .id = "e1",
         .timestamp = now_ - 600,
         .classification = "A1",
         .fingerprints = {{"pdq", ReferencePdqHash("bridge-1-original.jpg")},
                          {"pdna", "AAAA"}}});
    for (int i = 0; i < 4; ++i) {  // filler entries: more pages
      ncmec_->Add({.member_id = 42,
                   .id = absl::StrCat("f", i),
                   .timestamp = now_ - 500 + i,
                   .classification = "B1",
                   .fingerprints = {
                       {"md5", std::string(31, '0') + std::to_string(i)}}});
    }
    ncmec_->SetReasons("PDQ", {{kReasonGuid, "Not the reported content"}});
    stopncii_->Upsert({.last_modified = now_ - 400,
                       .signal_type = "ImagePDQ",
                       .hash_value = ReferencePdqHash("q1050.jpg"),
                       .hash_status = "Active"});
    WriteCredentials(0600);
    WriteConfig();
  }

  void WriteCredentials(mode_t mode) {
    const std::string ncmec =
        dir_.Write("ncmec.credentials", "platform:secret\n");
    const std::string stopncii =
        dir_.Write("stopncii.credentials",
                   "subscription_key=test-subscription-key\n"
                   "fetch_hashes_key=test-fetch-hashes-key\n"
                   "submit_feedback_key=test-submit-feedback-key\n");
    ASSERT_EQ(chmod(ncmec.c_str(), mode), 0);
    ASSERT_EQ(chmod(stopncii.c_str(), mode), 0);
  }

  void WriteConfig() {
    std::ofstream(dir_.File("clearmatchd.textproto"))
        << "sync_interval_seconds: 0\n"
        << "ncmec_sources { base_url: \"" << ncmec_->base_url()
        << "\" credentials_file: \"ncmec.credentials\" "
        << "start_time_unix_seconds: " << now_ - 3600 << " }\n"
        << "stopncii_sources { base_url: \"" << stopncii_->base_url()
        << "\" credentials_file: \"stopncii.credentials\" "
        << "start_time_unix_seconds: " << now_ - 3600 << " }\n";
  }

  void Start() {
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", dir_.File("clearmatchd.textproto"),
                                 "--data-dir", dir_.File("data")});
    ASSERT_TRUE(daemon_->started()) << daemon_->error();
    auto channel = grpc::CreateChannel(daemon_->address(),
                                       grpc::InsecureChannelCredentials());
    matcher_ = v1::Matcher::NewStub(channel);
    // Admin and Review need a principal: the unix socket, as the daemon's
    // own user (every role by default).
    auto local = grpc::CreateChannel(daemon_->unix_address(),
                                     grpc::InsecureChannelCredentials());
    admin_ = v1::Admin::NewStub(local);
    review_ = v1::Review::NewStub(local);
    ASSERT_TRUE(Eventually([&] { return Status().index().serving(); }))
        << daemon_->Stderr();
  }

  v1::GetStatusResponse Status() {
    v1::GetStatusResponse response;
    grpc::ClientContext context;
    admin_->GetStatus(WithDeadline(&context), {}, &response);
    return response;
  }

  void SyncFeeds() {
    v1::SyncFeedsResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        admin_->SyncFeeds(WithDeadline(&context), {}, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  v1::CheckResponse Check(const std::string& testdata) {
    return UploadCheck(*matcher_, testdata, Bytes(testdata));
  }

  // The id of the newest recorded match of `content_id`.
  int64_t MatchIdOf(const std::string& content_id) {
    v1::ListMatchesResponse response;
    grpc::ClientContext context;
    const grpc::Status status = review_->ListMatches(
        WithDeadline(&context), v1::ListMatchesRequest(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const v1::MatchRecord& record : response.matches()) {
      if (record.content_id() == content_id) return record.match_id();
    }
    return 0;
  }

  grpc::Status Decide(int64_t id, v1::ReviewOutcome outcome) {
    v1::DecideRequest request;
    request.set_match_id(id);
    request.set_outcome(outcome);
    request.set_note(
        "reviewed");  // the reviewer is the caller: the daemon's user
    v1::MatchRecord record;
    grpc::ClientContext context;
    return review_->Decide(WithDeadline(&context), request, &record);
  }

  const TempDir dir_{"clearmatch-clearinghouse-it"};
  int64_t now_ = 0;
  std::unique_ptr<NcmecTestServer> ncmec_;
  std::unique_ptr<StopNciiTestServer> stopncii_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<v1::Matcher::Stub> matcher_;
  std::unique_ptr<v1::Admin::Stub> admin_;
  std::unique_ptr<v1::Review::Stub> review_;
};

TEST_F(ClearinghouseDaemonTest, BankedImagesBlockAndWithdrawalsAllow) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const v1::CheckResponse ncmec = Check(kNcmecImage);
  EXPECT_EQ(ncmec.decision(), v1::BLOCK);
  ASSERT_GE(ncmec.matches_size(), 1);
  EXPECT_EQ(ncmec.matches(0).bank(), "ncmec");
  EXPECT_EQ(ncmec.matches(0).entry_id(), "42-e1");
  EXPECT_EQ(ncmec.matches(0).category(), "A1");
  const v1::CheckResponse stopncii = Check(kStopNciiImage);
  EXPECT_EQ(stopncii.decision(), v1::BLOCK);
  ASSERT_GE(stopncii.matches_size(), 1);
  EXPECT_EQ(stopncii.matches(0).bank(), "stopncii");

  // The victim withdraws at StopNCII; NCMEC sends a tombstone, stamped now
  // (NCMEC windows end a few seconds before now, so it takes a few syncs).
  stopncii_->Upsert({.last_modified = now_ - 10,
                     .signal_type = "ImagePDQ",
                     .hash_value = ReferencePdqHash("q1050.jpg"),
                     .hash_status = "Withdrawn"});
  NcmecTestServer::Entry tombstone;
  tombstone.deleted = true;
  tombstone.member_id = 42;
  tombstone.id = "e1";
  tombstone.timestamp = absl::ToUnixSeconds(absl::Now());
  ncmec_->Add(tombstone);
  SyncFeeds();
  EXPECT_EQ(Check(kStopNciiImage).decision(), v1::ALLOW);
  EXPECT_TRUE(Eventually(
      [&] {
        SyncFeeds();
        return Check(kNcmecImage).decision() == v1::ALLOW;
      },
      absl::Seconds(60)));
}

TEST_F(ClearinghouseDaemonTest, StatusRowsCountEntriesAndSkippedTypes) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const v1::GetStatusResponse status = Status();
  ASSERT_EQ(status.feeds_size(), 2);
  const v1::FeedStatus& ncmec = status.feeds(0);
  EXPECT_EQ(ncmec.kind(), "ncmec");
  EXPECT_EQ(ncmec.url(), "ncmec");
  EXPECT_EQ(ncmec.entries(), 5);
  EXPECT_EQ(ncmec.entries_by_type().at("pdq"), 1);
  EXPECT_EQ(ncmec.entries_by_type().at("md5"), 4);
  EXPECT_EQ(ncmec.skipped().at("fingerprint:pdna"), 1);
  EXPECT_EQ(ncmec.last_sync_result(), "ok");
  const v1::FeedStatus& stopncii = status.feeds(1);
  EXPECT_EQ(stopncii.kind(), "stopncii");
  EXPECT_EQ(stopncii.entries(), 1);
  const std::string metrics =
      testing::HttpGet(daemon_->metrics_port(), "/metrics");
  EXPECT_THAT(metrics, HasSubstr("clearmatch_source_entries{source=\"ncmec\","
                                 "kind=\"ncmec\",type=\"md5\"} 4"));
  EXPECT_THAT(metrics, HasSubstr("clearmatch_source_last_sync_ok{source="
                                 "\"stopncii\",kind=\"stopncii\"} 1"));
  std::ostringstream out, err;
  ASSERT_EQ(cli::RunSourceCommand({"status", "--addr", daemon_->unix_address()},
                                  out, err),
            cli::kExitOk)
      << err.str();
  EXPECT_THAT(out.str(), HasSubstr("ncmec ncmec: 5 entries (md5=4 pdq=1), "
                                   "last sync ok"));
  EXPECT_THAT(out.str(), HasSubstr("skipped fingerprint:pdna=1"));
  EXPECT_THAT(out.str(), HasSubstr("stopncii stopncii: 1 entries (pdq=1)"));
  // No credential in the daemon's log.
  EXPECT_THAT(daemon_->Stderr(), ::testing::Not(HasSubstr("secret")));
  EXPECT_THAT(daemon_->Stderr(),
              ::testing::Not(HasSubstr("test-fetch-hashes-key")));
}

TEST_F(ClearinghouseDaemonTest, DecisionsReachTheClearinghousesAsFeedback) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_EQ(Check(kNcmecImage).decision(), v1::BLOCK);
  ASSERT_EQ(Check(kStopNciiImage).decision(), v1::BLOCK);
  int64_t ncmec_match = 0;
  int64_t stopncii_match = 0;
  ASSERT_TRUE(Eventually([&] {
    ncmec_match = MatchIdOf(kNcmecImage);
    stopncii_match = MatchIdOf(kStopNciiImage);
    return ncmec_match > 0 && stopncii_match > 0;
  }));
  ASSERT_TRUE(Decide(ncmec_match, v1::FALSE_POSITIVE).ok());
  ASSERT_TRUE(Decide(stopncii_match, v1::CONFIRMED).ok());

  ASSERT_TRUE(Eventually([&] { return !ncmec_->feedback().empty(); }))
      << daemon_->Stderr();
  const NcmecTestServer::FeedbackPut put = ncmec_->feedback()[0];
  EXPECT_EQ(put.member_id, 42);
  EXPECT_EQ(put.id, "e1");
  EXPECT_EQ(put.type, "PDQ");
  EXPECT_THAT(put.body, HasSubstr("<negative>"));
  EXPECT_THAT(put.body, HasSubstr(kReasonGuid));
  ASSERT_TRUE(Eventually([&] {
    return !stopncii_->feedback_requests().empty();
  })) << daemon_->Stderr();
  const StopNciiTestServer::FeedbackRequest feedback =
      stopncii_->feedback_requests()[0];
  EXPECT_THAT(feedback.body, HasSubstr(ReferencePdqHash("q1050.jpg")));
  EXPECT_THAT(feedback.body, HasSubstr("\"Blocked\""));
  EXPECT_EQ(feedback.keys.functions_key, "test-submit-feedback-key");
  // The FALSE_POSITIVE allowlists the content: the next Check is ALLOW.
  EXPECT_EQ(Check(kNcmecImage).decision(), v1::ALLOW);
}

TEST_F(ClearinghouseDaemonTest, DaemonKilledInASyncLosesNothing) {
  ncmec_->HoldRequest(1);  // the second page of the first window
  daemon_ = std::make_unique<DaemonProcess>(
      std::vector<std::string>{"--config", dir_.File("clearmatchd.textproto"),
                               "--data-dir", dir_.File("data")});
  ASSERT_TRUE(daemon_->started()) << daemon_->error();
  ASSERT_TRUE(ncmec_->WaitForHeld(absl::Seconds(30)));
  daemon_->Kill();
  ncmec_->Release();
  // Served only once NCMEC has read its whole list: all of it, once each.
  ASSERT_NO_FATAL_FAILURE(Start());
  const v1::GetStatusResponse status = Status();
  ASSERT_EQ(status.feeds_size(), 2);
  EXPECT_EQ(status.feeds(0).entries(), 5);
  EXPECT_EQ(Check(kNcmecImage).decision(), v1::BLOCK);
}

TEST_F(ClearinghouseDaemonTest, SourceCheckNamesThePlatform) {
  std::ostringstream out, err;
  const int code = cli::RunSourceCommand(
      {"check", "--config", dir_.File("clearmatchd.textproto")}, out, err);
  EXPECT_EQ(code, cli::kExitOk) << err.str() << out.str();
  EXPECT_THAT(out.str(), HasSubstr("ncmec source ncmec: ok, member 7"));
  EXPECT_THAT(out.str(), HasSubstr("stopncii source stopncii: ok"));
  EXPECT_THAT(out.str(), ::testing::Not(HasSubstr("secret")));

  dir_.Write("ncmec.credentials", "platform:wrong\n");
  std::ostringstream bad_out, bad_err;
  EXPECT_EQ(cli::RunSourceCommand(
                {"check", "--config", dir_.File("clearmatchd.textproto")},
                bad_out, bad_err),
            cli::kExitInputFailed);
  EXPECT_THAT(bad_out.str(), HasSubstr("ncmec source ncmec: FAILED"));
  EXPECT_THAT(bad_out.str(), ::testing::Not(HasSubstr("wrong")));
}

TEST_F(ClearinghouseDaemonTest, ReadableCredentialsStopTheStart) {
  WriteCredentials(0644);
  DaemonProcess daemon({"--config", dir_.File("clearmatchd.textproto"),
                        "--data-dir", dir_.File("data")});
  EXPECT_FALSE(daemon.started());
  EXPECT_NE(daemon.WaitForExit(), 0);
  EXPECT_THAT(daemon.Stderr(), HasSubstr("ncmec_sources[0].credentials_file"));
  EXPECT_THAT(daemon.Stderr(), HasSubstr("chmod 600"));
  EXPECT_THAT(daemon.Stderr(), ::testing::Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace clearmatch
