// StopNciiFeedbackSink against the loopback StopNCII server.
#include "clearinghouse/stopncii_feedback_sink.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "clearinghouse/stopncii_source_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "testing/stopncii_test_server.h"

namespace clearmatch {
namespace {

using Server = testing::StopNciiTestServer;
using FaultSpec = Server::FaultSpec;
using ::testing::Each;
using ::testing::Field;
using ::testing::HasSubstr;

class StopNciiFeedbackSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Server>> server =
        Server::Start(Server::Options{});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  std::unique_ptr<StopNciiFeedbackSink> MakeSink(
      StopNciiCredentials credentials = TestCredentials()) {
    StopNciiFeedbackSink::Options options;
    options.base_url = server_->base_url();
    options.credentials = std::move(credentials);
    options.http.max_attempts = 1;
    absl::StatusOr<std::unique_ptr<StopNciiFeedbackSink>> sink =
        StopNciiFeedbackSink::Create(options);
    EXPECT_TRUE(sink.ok()) << sink.status();
    return sink.ok() ? *std::move(sink) : nullptr;
  }

  static FeedbackItem Item(int64_t id, std::string entry_id,
                           FeedbackVerdict verdict) {
    FeedbackItem item;
    item.id = id;
    item.bank = "stopncii";
    item.entry_id = std::move(entry_id);
    item.hash_type = item.entry_id.size() == 64 ? "pdq" : "md5";
    item.verdict = verdict;
    return item;
  }

  std::vector<FeedbackItem> TwoDecisions() {
    return {Item(1, TestPdq(1), FeedbackVerdict::kConfirmed),
            Item(2, TestMd5(2), FeedbackVerdict::kFalsePositive)};
  }

  std::unique_ptr<Server> server_;
};

TEST_F(StopNciiFeedbackSinkTest, BothDecisionsGoInOnePost) {
  auto sink = MakeSink();
  EXPECT_EQ(sink->bank(), "stopncii");
  EXPECT_EQ(sink->max_batch(), 100u);
  std::vector<FeedbackResult> results = sink->Send(TwoDecisions());
  ASSERT_EQ(results.size(), 2u);
  EXPECT_THAT(results,
              Each(Field(&FeedbackResult::outcome, FeedbackOutcome::kSent)));
  std::vector<Server::FeedbackRequest> requests = server_->feedback_requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].keys.subscription_key, "test-subscription-key");
  EXPECT_EQ(requests[0].keys.functions_key, "test-submit-feedback-key");
  const nlohmann::json body = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(body["count"], 2);
  ASSERT_EQ(body["hashFeedbacks"].size(), 2u);
  EXPECT_EQ(body["hashFeedbacks"][0]["hashValue"], TestPdq(1));
  EXPECT_EQ(body["hashFeedbacks"][0]["feedbackValue"], "Blocked");
  EXPECT_EQ(body["hashFeedbacks"][1]["hashValue"], TestMd5(2));
  EXPECT_EQ(body["hashFeedbacks"][1]["feedbackValue"], "NotBlocked");
}

TEST_F(StopNciiFeedbackSinkTest, A503IsRetriedByTheNextSend) {
  auto sink = MakeSink();
  server_->AddFault(Server::Endpoint::kSubmitFeedback, FaultSpec::Status(503));
  std::vector<FeedbackResult> first = sink->Send(TwoDecisions());
  ASSERT_EQ(first.size(), 2u);
  EXPECT_THAT(first,
              Each(Field(&FeedbackResult::outcome, FeedbackOutcome::kRetry)));
  EXPECT_EQ(first[0].status.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(server_->feedback_requests().empty());
  std::vector<FeedbackResult> again = sink->Send(TwoDecisions());
  EXPECT_THAT(again,
              Each(Field(&FeedbackResult::outcome, FeedbackOutcome::kSent)));
  EXPECT_EQ(server_->feedback_requests().size(), 1u);
  EXPECT_EQ(server_->feedback_attempts(), 2);
}

TEST_F(StopNciiFeedbackSinkTest, ConnectionFailureAndBadKeysAreRetried) {
  auto sink = MakeSink();
  server_->AddFault(Server::Endpoint::kSubmitFeedback,
                    FaultSpec::Of(Server::Fault::kReset));
  EXPECT_THAT(sink->Send(TwoDecisions()),
              Each(Field(&FeedbackResult::outcome, FeedbackOutcome::kRetry)));
  StopNciiCredentials wrong = TestCredentials();
  wrong.submit_feedback_key = "test-fetch-hashes-key";  // another endpoint's
  std::vector<FeedbackResult> unauthenticated =
      MakeSink(wrong)->Send(TwoDecisions());
  EXPECT_THAT(unauthenticated,
              Each(Field(&FeedbackResult::outcome, FeedbackOutcome::kRetry)));
  EXPECT_EQ(unauthenticated[0].status.code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(server_->feedback_requests().empty());
}

TEST_F(StopNciiFeedbackSinkTest, OtherClientErrorsRejectTheBatch) {
  auto sink = MakeSink();
  server_->AddFault(Server::Endpoint::kSubmitFeedback, FaultSpec::Status(400));
  std::vector<FeedbackResult> results = sink->Send(TwoDecisions());
  EXPECT_THAT(results, Each(Field(&FeedbackResult::outcome,
                                  FeedbackOutcome::kRejected)));
  EXPECT_THAT(results[0].status.message(), HasSubstr("400"));
}

TEST_F(StopNciiFeedbackSinkTest, AnItemThatIsNoStopNciiHashIsRejectedAlone) {
  auto sink = MakeSink();
  std::vector<FeedbackItem> items = TwoDecisions();
  items.insert(items.begin() + 1,
               Item(3, "ncmec-42", FeedbackVerdict::kConfirmed));
  std::vector<FeedbackResult> results = sink->Send(items);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].outcome, FeedbackOutcome::kSent);
  EXPECT_EQ(results[1].outcome, FeedbackOutcome::kRejected);
  EXPECT_THAT(results[1].status.message(), HasSubstr("outbox row 3"));
  EXPECT_EQ(results[2].outcome, FeedbackOutcome::kSent);
  const nlohmann::json body =
      nlohmann::json::parse(server_->feedback_requests().at(0).body);
  EXPECT_EQ(body["count"], 2);
}

}  // namespace
}  // namespace clearmatch
