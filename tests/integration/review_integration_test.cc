// End-to-end tests of review against the real clearmatchd: verdicts are
// recorded and listed, a FALSE_POSITIVE changes the next verdict for the
// same content to ALLOW (and for nothing else: no laundering with the
// hashes of a hash-only request), reviewers decide while Check traffic runs,
// the CLI works against the daemon, and acknowledged decisions survive SIGKILL
// of the daemon (a process crash; fsync is checked in review_test). Bank hashes
// come from the reference data of tests/testdata.
#include <grpcpp/grpcpp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "clearmatch/v1/matcher.grpc.pb.h"
#include "clearmatch/v1/review.grpc.pb.h"
#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "review/audit_chain.h"
#include "testing/daemon_process.h"
#include "testing/grpc_deadline.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"
#include "testing/upload_check.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::DaemonProcess;
using ::clearmatch::testing::HttpGet;
using ::clearmatch::testing::Md5sumOfFile;
using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::ReferencePdqHash;
using ::clearmatch::testing::Sha256sumOfFile;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::clearmatch::testing::UploadCheck;
using ::clearmatch::testing::WithDeadline;
using ::testing::HasSubstr;

std::string Bytes(const std::string& testdata) {
  const std::vector<unsigned char> bytes =
      ReadFileBytes(TestdataPath(testdata));
  return std::string(bytes.begin(), bytes.end());
}

class ReviewDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string bridge = ReferencePdqHash("bridge-1-original.jpg");
    ASSERT_EQ(bridge.size(), 64u);
    std::ofstream(dir_.File("bank.csv"))
        << "pdq," << bridge << ",bridge-1,tid,ncii\n"
        << "md5," << Md5sumOfFile(TestdataPath("pdq/q1050.jpg"))
        << ",q1050-md5,tid,ncii\n";
    // Review calls come over the unix socket as this test's user, known to
    // the daemon as the reviewer "alice".
    std::ofstream(dir_.File("clearmatchd.textproto"))
        << "bank_csvs { path: \"bank.csv\" }\n"
        << "unix_roles { uid: " << geteuid()
        << " name: \"alice\" roles: \"checker\" roles: \"reviewer\" "
           "roles: \"admin\" }\n";
    Start();
  }
  void TearDown() override {
    matcher_.reset();
    review_.reset();
    daemon_.reset();
  }

  void Start() {
    daemon_ = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", dir_.File("clearmatchd.textproto"),
                                 "--data-dir", dir_.File("data")});
    ASSERT_TRUE(daemon_->started()) << daemon_->error();
    auto channel = grpc::CreateChannel(daemon_->address(),
                                       grpc::InsecureChannelCredentials());
    matcher_ = v1::Matcher::NewStub(channel);
    review_ = v1::Review::NewStub(grpc::CreateChannel(
        daemon_->unix_address(), grpc::InsecureChannelCredentials()));
  }

  v1::CheckResponse Check(const std::string& testdata) {
    return UploadCheck(*matcher_, testdata, Bytes(testdata));
  }

  v1::ListMatchesResponse List(v1::ListMatchesRequest request) {
    v1::ListMatchesResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        review_->ListMatches(WithDeadline(&context), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  grpc::Status Decide(int64_t id, v1::ReviewOutcome outcome,
                      v1::MatchRecord* record, bool override = false) {
    v1::DecideRequest request;
    request.set_match_id(id);
    request.set_outcome(outcome);
    request.set_reviewer("alice");
    request.set_note("checked");
    request.set_override(override);
    grpc::ClientContext context;
    return review_->Decide(WithDeadline(&context), request, record);
  }

  const TempDir dir_{"clearmatch-review-it"};
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<v1::Matcher::Stub> matcher_;
  std::unique_ptr<v1::Review::Stub> review_;
};

TEST_F(ReviewDaemonTest, MatchIsRecordedAndFalsePositiveAllowsItNextTime) {
  const v1::CheckResponse allowed = Check("pdq/q0746.jpg");
  ASSERT_EQ(allowed.decision(), v1::ALLOW);  // not recorded
  EXPECT_EQ(allowed.review_recording(), v1::CheckResponse::NOT_NEEDED);
  const v1::CheckResponse first = Check("pdq/bridge-1-original.jpg");
  ASSERT_EQ(first.decision(), v1::BLOCK);
  EXPECT_EQ(first.review_recording(), v1::CheckResponse::QUEUED);

  const v1::ListMatchesResponse listed = List({});
  ASSERT_EQ(listed.matches_size(), 1);
  const v1::MatchRecord& record = listed.matches(0);
  EXPECT_EQ(record.content_id(), "pdq/bridge-1-original.jpg");
  EXPECT_EQ(record.decision(), v1::BLOCK);
  EXPECT_EQ(record.context(), v1::UPLOAD);
  EXPECT_EQ(record.request_id(), first.request_id());
  ASSERT_EQ(record.matches_size(), 1);
  EXPECT_EQ(record.matches(0).entry_id(), "bridge-1");
  // The recorded digest is the file's (sha256sum), as the verdict said.
  const std::string sha256 =
      Sha256sumOfFile(TestdataPath("pdq/bridge-1-original.jpg"));
  ASSERT_EQ(sha256.size(), 64u) << "sha256sum did not run";
  EXPECT_EQ(record.query_hashes().sha256(), sha256);
  EXPECT_EQ(first.hashes().sha256(), sha256);
  EXPECT_THAT(record.policy(), HasSubstr("tid: upload=BLOCK"));

  v1::MatchRecord decided;
  grpc::Status status = Decide(record.match_id(), v1::FALSE_POSITIVE, &decided);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(decided.decisions_size(), 1);
  EXPECT_EQ(decided.decisions(0).reviewer(), "alice");
  status = Decide(record.match_id(), v1::CONFIRMED, &decided);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  const v1::CheckResponse again = Check("pdq/bridge-1-original.jpg");
  EXPECT_EQ(again.decision(), v1::ALLOW);
  EXPECT_EQ(again.matches_size(), 0);
  EXPECT_EQ(List({}).matches_size(), 1);  // ALLOW is not recorded
  // Other content still matches.
  EXPECT_EQ(Check("pdq/q1050.jpg").decision(), v1::BLOCK);
  EXPECT_THAT(HttpGet(daemon_->metrics_port(), "/metrics"),
              HasSubstr("clearmatch_review_allowlisted_matches_total 1\n"));

  // The allowlist is admin's to list and undo.
  v1::ListAllowlistResponse allowlist;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(
        review_->ListAllowlist(WithDeadline(&context), {}, &allowlist).ok());
  }
  ASSERT_GE(allowlist.entries_size(), 1);
  EXPECT_EQ(allowlist.entries(0).entry_id(), "bridge-1");
  for (const v1::AllowlistEntry& entry : allowlist.entries()) {
    v1::RemoveAllowlistEntryRequest remove;
    remove.set_content_key(entry.content_key());
    remove.set_bank(entry.bank());
    remove.set_entry_id(entry.entry_id());
    v1::RemoveAllowlistEntryResponse removed;
    grpc::ClientContext context;
    ASSERT_TRUE(
        review_->RemoveAllowlistEntry(WithDeadline(&context), remove, &removed)
            .ok());
  }
  EXPECT_EQ(Check("pdq/bridge-1-original.jpg").decision(), v1::BLOCK);
}

// The laundering attack of issue 13: a reviewer cleared a file for entry
// bridge-1 (which the bank lists by its PDQ hash and by a SHA-256); a
// hash-only request that sends that file's SHA-256 next to the PDQ hash of
// other content near bridge-1 must still be blocked: the allowlisted
// SHA-256 suppresses only the SHA-256 match.
TEST_F(ReviewDaemonTest, AllowlistedDigestDoesNotLaunderAPdqMatch) {
  const std::string bridge = ReferencePdqHash("bridge-1-original.jpg");
  const std::string sha256 =
      Sha256sumOfFile(TestdataPath("pdq/bridge-1-original.jpg"));
  ASSERT_EQ(sha256.size(), 64u) << "sha256sum did not run";
  daemon_.reset();
  std::ofstream(dir_.File("bank.csv"))
      << "pdq," << bridge << ",bridge-1,tid,ncii\n"
      << "sha256," << sha256 << ",bridge-1,tid,ncii\n";
  Start();
  ASSERT_EQ(Check("pdq/bridge-1-original.jpg").decision(), v1::BLOCK);
  const v1::ListMatchesResponse listed = List({});
  ASSERT_EQ(listed.matches_size(), 1);
  ASSERT_EQ(listed.matches(0).matches_size(), 2);  // pdq and sha256
  EXPECT_FALSE(listed.matches(0).hashes_from_caller());
  v1::MatchRecord decided;
  ASSERT_TRUE(
      Decide(listed.matches(0).match_id(), v1::FALSE_POSITIVE, &decided).ok());
  // The legitimate case: the same media again.
  EXPECT_EQ(Check("pdq/bridge-1-original.jpg").decision(), v1::ALLOW);

  // Other content near bridge-1 (a few bits of its PDQ hash flipped).
  std::string near = bridge;
  near[0] = near[0] == '0' ? '1' : '0';
  near[1] = near[1] == 'f' ? 'e' : 'f';
  v1::CheckRequest request;
  request.set_content_id("laundered");
  request.set_context(v1::UPLOAD);
  request.mutable_hashes()->set_sha256(sha256);
  request.mutable_hashes()->add_pdq()->set_hash(near);
  request.mutable_hashes()->mutable_pdq(0)->set_quality(100);
  v1::CheckResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(matcher_->Check(WithDeadline(&context), request, &response).ok());
  EXPECT_EQ(response.decision(), v1::BLOCK);
  ASSERT_EQ(response.matches_size(), 1);
  EXPECT_EQ(response.matches(0).hash_type(), "pdq");
  EXPECT_EQ(response.matches(0).entry_id(), "bridge-1");
}

// A FALSE_POSITIVE on a hash-only Check's record allowlists nothing: the
// caller's hashes were never checked against any content.
TEST_F(ReviewDaemonTest, FalsePositiveOnAHashOnlyCheckAllowlistsNothing) {
  v1::CheckRequest request;
  request.set_content_id("hashes");
  request.set_context(v1::UPLOAD);
  request.mutable_hashes()->add_pdq()->set_hash(
      ReferencePdqHash("bridge-1-original.jpg"));
  request.mutable_hashes()->mutable_pdq(0)->set_quality(100);
  auto check = [&] {
    v1::CheckResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(
        matcher_->Check(WithDeadline(&context), request, &response).ok());
    return response.decision();
  };
  ASSERT_EQ(check(), v1::BLOCK);
  const v1::ListMatchesResponse listed = List({});
  ASSERT_EQ(listed.matches_size(), 1);
  EXPECT_TRUE(listed.matches(0).hashes_from_caller());
  v1::MatchRecord decided;
  ASSERT_TRUE(
      Decide(listed.matches(0).match_id(), v1::FALSE_POSITIVE, &decided).ok());
  EXPECT_TRUE(decided.hashes_from_caller());
  EXPECT_EQ(check(), v1::BLOCK);
  v1::ListAllowlistResponse allowlist;
  grpc::ClientContext context;
  ASSERT_TRUE(
      review_->ListAllowlist(WithDeadline(&context), {}, &allowlist).ok());
  EXPECT_EQ(allowlist.entries_size(), 0);
}

// Every file the daemon writes in data_dir (review.sqlite and its -wal and
// -shm, index.snap and its sources key) is 0600 and data_dir, which the
// daemon creates, 0700, also when the daemon runs with umask 0.
TEST_F(ReviewDaemonTest, DataFilesAreOwnerOnlyWhateverTheUmask) {
  daemon_.reset();
  std::filesystem::remove_all(dir_.File("data"));
  const mode_t old_umask = ::umask(0);
  Start();
  ::umask(old_umask);
  ASSERT_EQ(Check("pdq/bridge-1-original.jpg").decision(), v1::BLOCK);
  ASSERT_EQ(List({}).matches_size(), 1);  // written to review.sqlite
  const std::string snapshot = dir_.File("data/index.snap");
  for (int i = 0; i < 200 && !std::filesystem::exists(snapshot); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto mode = [](const std::filesystem::path& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0u;
  };
  EXPECT_EQ(mode(dir_.File("data")), 0700u);
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(dir_.File("data"))) {
    const std::string name =
        entry.path().lexically_relative(dir_.File("data")).string();
    files.push_back(name);
    if (entry.is_socket()) {  // the unix socket: 0660 or tighter (authz)
      EXPECT_EQ(mode(entry.path()) & ~0660u, 0u) << name;
      continue;
    }
    EXPECT_EQ(mode(entry.path()), entry.is_directory() ? 0700u : 0600u) << name;
  }
  EXPECT_THAT(files,
              ::testing::IsSupersetOf({"review.sqlite", "review.sqlite-wal",
                                       "review.sqlite-shm", "index.snap",
                                       "index.snap.sources"}));
}

TEST_F(ReviewDaemonTest, BadReviewRequestsAreRefused) {
  v1::MatchRecord record;
  EXPECT_EQ(Decide(12345, v1::CONFIRMED, &record).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ListMatchesRequest bad;
  bad.set_page_token("garbage");
  v1::ListMatchesResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(
      review_->ListMatches(WithDeadline(&context), bad, &response).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  Check("pdq/q1050.jpg");
  const int64_t id = List({}).matches(0).match_id();
  // The reviewer recorded is the caller: a request naming someone else is
  // refused, and records nothing.
  v1::DecideRequest impostor;
  impostor.set_match_id(id);
  impostor.set_outcome(v1::CONFIRMED);
  impostor.set_reviewer("mallory");
  grpc::ClientContext decide_context;
  const grpc::Status refused =
      review_->Decide(WithDeadline(&decide_context), impostor, &record);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("reviewer: \"mallory\" is not the caller, unix user "
                        "\"alice\""));
  grpc::ClientContext get_context;
  v1::GetMatchRequest get;
  get.set_match_id(id);
  ASSERT_TRUE(review_->GetMatch(WithDeadline(&get_context), get, &record).ok());
  EXPECT_EQ(record.decisions_size(), 0);
}

TEST_F(ReviewDaemonTest, ReviewersDecideWhileChecksRun) {
  constexpr int kThreads = 2, kChecksPerThread = 25;
  const std::string md5 = Md5sumOfFile(TestdataPath("pdq/q1050.jpg"));
  std::atomic<int> blocked{0}, failed{0};
  std::vector<std::thread> checkers;
  for (int t = 0; t < kThreads; ++t) {
    checkers.emplace_back([&] {
      for (int i = 0; i < kChecksPerThread; ++i) {
        v1::CheckRequest request;
        request.set_content_id("q1050");
        request.set_context(v1::UPLOAD);
        request.mutable_hashes()->set_md5(md5);
        v1::CheckResponse response;
        grpc::ClientContext context;
        if (!matcher_->Check(WithDeadline(&context), request, &response).ok()) {
          ++failed;
        } else if (response.decision() == v1::BLOCK) {
          ++blocked;
        }
      }
    });
  }
  // Reviewers confirm whatever is pending until the checkers are done.
  int decided = 0;
  for (int round = 0; round < 200 && decided < kThreads * kChecksPerThread;
       ++round) {
    v1::ListMatchesRequest pending;
    pending.set_status(v1::ListMatchesRequest::PENDING);
    const v1::ListMatchesResponse page = List(pending);
    for (const v1::MatchRecord& record : page.matches()) {
      v1::MatchRecord out;
      const grpc::Status status =
          Decide(record.match_id(), v1::CONFIRMED, &out);
      ASSERT_TRUE(status.ok()) << status.error_message();
      ++decided;
    }
  }
  for (std::thread& t : checkers) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(blocked.load(), kThreads * kChecksPerThread);

  // Every BLOCK was recorded exactly once; pending + decided covers them.
  v1::ListMatchesRequest all;
  all.set_page_size(1000);
  EXPECT_EQ(List(all).matches_size(), kThreads * kChecksPerThread);
  v1::ListMatchesRequest confirmed;
  confirmed.set_outcome(v1::CONFIRMED);
  confirmed.set_page_size(1000);
  EXPECT_EQ(List(confirmed).matches_size(), decided);
}

TEST_F(ReviewDaemonTest, CliListDecideShowExport) {
  Check("pdq/bridge-1-original.jpg");
  const std::string addr = daemon_->unix_address();
  std::ostringstream list_out, err;
  ASSERT_EQ(cli::RunReviewCommand(
                {"list", "--addr", addr, "--status", "pending"}, list_out, err),
            0)
      << err.str();
  EXPECT_THAT(list_out.str(),
              HasSubstr("BLOCK PENDING pdq/bridge-1-original.jpg"
                        " tid/bridge-1(pdq"));
  const std::string id = list_out.str().substr(0, list_out.str().find(' '));

  // --reviewer only asserts who the caller is: another name is refused.
  std::ostringstream bob_out, bob_err;
  EXPECT_EQ(cli::RunReviewCommand({"decide", "--addr", addr, id, "confirmed",
                                   "--reviewer", "bob"},
                                  bob_out, bob_err),
            1);
  EXPECT_THAT(bob_err.str(), HasSubstr("\"bob\" is not the caller"));
  std::ostringstream decide_out;
  ASSERT_EQ(cli::RunReviewCommand({"decide", "--addr", addr, id, "confirmed",
                                   "--reviewer", "alice", "--note", "real"},
                                  decide_out, err),
            0)
      << err.str();
  EXPECT_EQ(decide_out.str(), id + " CONFIRMED by alice\n");
  std::ostringstream again_out, again_err;
  EXPECT_EQ(cli::RunReviewCommand({"decide", "--addr", addr, id, "escalated"},
                                  again_out, again_err),
            1);
  EXPECT_THAT(again_err.str(), HasSubstr("override"));

  std::ostringstream show_out;
  ASSERT_EQ(cli::RunReviewCommand({"show", "--addr", addr, id}, show_out, err),
            0);
  EXPECT_THAT(show_out.str(), HasSubstr("\"reviewer\":\"alice\""));

  std::ostringstream export_out;
  ASSERT_EQ(cli::RunReviewCommand({"export", "--addr", addr}, export_out, err),
            0)
      << err.str();
  EXPECT_THAT(export_out.str(), HasSubstr("\"entry_id\":\"bridge-1\""));
  EXPECT_THAT(export_out.str(),
              HasSubstr("\"content_id\":\"pdq/bridge-1-original.jpg\""));
}

// What this proves: a decision is in the file (or the WAL) before Decide is
// answered, so a crash of the daemon process loses nothing acknowledged.
// SIGKILL ends the process but not the kernel: the page cache survives it,
// so this does NOT prove that the decision was fsync'ed (power-loss
// safety). That is checked in review_test
// (ReviewStoreDurabilityTest.EveryDecisionSyncsTheWalBeforeReturning), which
// counts the syncs of the WAL through a counting SQLite VFS.
TEST_F(ReviewDaemonTest, AcknowledgedDecisionsSurviveSigkillOfTheDaemon) {
  Check("pdq/bridge-1-original.jpg");
  Check("pdq/q1050.jpg");
  const v1::ListMatchesResponse listed = List({});
  ASSERT_EQ(listed.matches_size(), 2);
  v1::MatchRecord out;
  ASSERT_TRUE(Decide(listed.matches(0).match_id(), v1::CONFIRMED, &out).ok());
  ASSERT_TRUE(
      Decide(listed.matches(1).match_id(), v1::FALSE_POSITIVE, &out).ok());
  daemon_->Kill();

  Start();
  const v1::ListMatchesResponse after = List({});
  ASSERT_EQ(after.matches_size(), 2);
  ASSERT_EQ(after.matches(0).decisions_size(), 1);
  EXPECT_EQ(after.matches(0).decisions(0).outcome(), v1::CONFIRMED);
  ASSERT_EQ(after.matches(1).decisions_size(), 1);
  EXPECT_EQ(after.matches(1).decisions(0).outcome(), v1::FALSE_POSITIVE);
  // The allowlist came back from the file.
  EXPECT_EQ(Check(listed.matches(1).content_id()).decision(), v1::ALLOW);
  matcher_.reset();  // an open channel holds the shutdown for 5 s
  review_.reset();
  daemon_.reset();
  EXPECT_TRUE(VerifyAuditChain(dir_.File("data/review.sqlite")).ok());
}

}  // namespace
}  // namespace clearmatch
