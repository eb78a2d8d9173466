// Two real clearmatchd replicas on one PostgreSQL review database
// (review_database_url; a throwaway server, testing/postgres_server.h): a
// match recorded by A is listed by B; a FALSE_POSITIVE decided on B makes A
// answer ALLOW within a second; with PostgreSQL killed, Checks keep
// answering (their records queued and counted), Decide fails UNAVAILABLE
// clearly, and after the restart nothing is lost.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "clearmatch/v1/review.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postgres/postgres_connection.h"
#include "review/postgres_audit_chain.h"
#include "testing/daemon_process.h"
#include "testing/grpc_deadline.h"
#include "testing/postgres_server.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"
#include "testing/upload_check.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::DaemonProcess;
using ::clearmatch::testing::HttpGet;
using ::clearmatch::testing::Md5sumOfFile;
using ::clearmatch::testing::PostgresServer;
using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::ReferencePdqHash;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::clearmatch::testing::UploadCheck;
using ::clearmatch::testing::WithDeadline;
using ::testing::HasSubstr;

// One replica: its daemon and its clients.
struct Replica {
  std::unique_ptr<DaemonProcess> daemon;
  std::unique_ptr<v1::Matcher::Stub> matcher;
  std::unique_ptr<v1::Review::Stub> review;

  v1::CheckResponse Check(const std::string& testdata) {
    const std::vector<unsigned char> bytes =
        ReadFileBytes(TestdataPath(testdata));
    return UploadCheck(*matcher, testdata,
                       std::string(bytes.begin(), bytes.end()),
                       {.deadline_seconds = 30});
  }
  grpc::Status List(v1::ListMatchesResponse* response) {
    grpc::ClientContext context;
    return review->ListMatches(WithDeadline(&context, 30), {}, response);
  }
  grpc::Status Decide(int64_t id, v1::ReviewOutcome outcome,
                      bool override = false) {
    v1::DecideRequest request;
    request.set_match_id(id);
    request.set_outcome(outcome);
    request.set_reviewer("alice");
    request.set_override(override);
    v1::MatchRecord record;
    grpc::ClientContext context;
    return review->Decide(WithDeadline(&context, 30), request, &record);
  }
  // The number of matches listed, waiting up to 10 s for `want`.
  int WaitForMatches(int want) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    int count = -1;
    while (absl::Now() < deadline) {
      v1::ListMatchesResponse listed;
      if (List(&listed).ok()) count = listed.matches_size();
      if (count == want) break;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return count;
  }
};

class ReviewReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = PostgresServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto url = server_->CreateDatabase();
    ASSERT_TRUE(url.ok()) << url.status();
    url_ = *url;
    std::ofstream(dir_.File("bank.csv"))
        << "pdq," << ReferencePdqHash("bridge-1-original.jpg")
        << ",bridge-1,tid,ncii\n"
        << "md5," << Md5sumOfFile(TestdataPath("pdq/q1050.jpg"))
        << ",q1050-md5,tid,ncii\n";
    std::ofstream(dir_.File("clearmatchd.textproto"))
        << "bank_csvs { path: \"bank.csv\" }\n"
        << "review_database_url: \"" << url_ << "\"\n"
        << "unix_roles { uid: " << geteuid()
        << " name: \"alice\" roles: \"checker\" roles: \"reviewer\" "
           "roles: \"admin\" }\n";
    Start(a_, "a");
    Start(b_, "b");
  }
  void Start(Replica& replica, const std::string& name) {
    replica.daemon = std::make_unique<DaemonProcess>(
        std::vector<std::string>{"--config", dir_.File("clearmatchd.textproto"),
                                 "--data-dir", dir_.File("data-" + name)});
    ASSERT_TRUE(replica.daemon->started()) << replica.daemon->error();
    replica.matcher = v1::Matcher::NewStub(grpc::CreateChannel(
        replica.daemon->address(), grpc::InsecureChannelCredentials()));
    replica.review = v1::Review::NewStub(grpc::CreateChannel(
        replica.daemon->unix_address(), grpc::InsecureChannelCredentials()));
  }

  const TempDir dir_{"clearmatch-replicas-it"};
  std::unique_ptr<PostgresServer> server_;
  std::string url_;
  Replica a_;
  Replica b_;
};

TEST_F(ReviewReplicasTest, SharedQueueAllowlistAndOutage) {
  ASSERT_EQ(a_.Check("pdq/bridge-1-original.jpg").decision(), v1::BLOCK);
  ASSERT_EQ(b_.WaitForMatches(1), 1);  // recorded by A, listed by B
  v1::ListMatchesResponse listed;
  ASSERT_TRUE(b_.List(&listed).ok());
  const grpc::Status decided =
      b_.Decide(listed.matches(0).match_id(), v1::FALSE_POSITIVE);
  ASSERT_TRUE(decided.ok()) << decided.error_message();
  const absl::Time decided_at = absl::Now();
  while (a_.Check("pdq/bridge-1-original.jpg").decision() != v1::ALLOW) {
    ASSERT_LT(absl::Now() - decided_at, absl::Seconds(1))
        << "A still blocks a second after B's FALSE_POSITIVE";
  }

  ASSERT_TRUE(server_->Kill().ok());
  const v1::CheckResponse during = a_.Check("pdq/q1050.jpg");
  EXPECT_EQ(during.decision(), v1::BLOCK);  // Checks keep answering
  EXPECT_EQ(during.review_recording(), v1::CheckResponse::QUEUED);
  EXPECT_EQ(a_.Check("pdq/bridge-1-original.jpg").decision(), v1::ALLOW);
  EXPECT_THAT(HttpGet(a_.daemon->metrics_port(), "/metrics"),
              HasSubstr("clearmatch_review_queue_records 1\n"));
  const grpc::Status refused =
      b_.Decide(listed.matches(0).match_id(), v1::CONFIRMED, true);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(refused.error_message(), HasSubstr("unavailable"));

  ASSERT_TRUE(server_->Restart().ok());
  EXPECT_EQ(b_.WaitForMatches(2), 2);  // A's queued record is written
  EXPECT_THAT(HttpGet(a_.daemon->metrics_port(), "/metrics"),
              HasSubstr("clearmatch_review_records_total{result=\"lost\"} 0"));
  const grpc::Status confirmed =
      b_.Decide(listed.matches(0).match_id(), v1::CONFIRMED, true);
  EXPECT_TRUE(confirmed.ok()) << confirmed.error_message();
  PostgresConnection::Options options;
  options.url = url_;
  auto rows = VerifyPostgresAuditChain(options);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_GE(*rows, 4);  // decide, allowlist_add, decide, allowlist_remove
}

}  // namespace
}  // namespace clearmatch
