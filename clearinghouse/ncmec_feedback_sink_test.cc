// NcmecFeedbackSink against NcmecTestServer: what reaches the server for
// each verdict, the reason lookup, and how failures are classed.
#include "clearinghouse/ncmec_feedback_sink.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pugixml.hpp"
#include "testing/ncmec_test_server.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;
using Put = testing::NcmecTestServer::FeedbackPut;

constexpr char kGuid[] = "01234567-abcd-0123-4567-012345678900";
constexpr char kOtherGuid[] = "11234567-abcd-0123-4567-012345678900";

class NcmecFeedbackSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::NcmecTestServer::Start({});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  std::unique_ptr<NcmecFeedbackSink> MakeSink(std::string reason_guid = "",
                                              std::string password = "secret") {
    NcmecFeedbackSink::Options options;
    options.base_url = server_->base_url();
    options.credentials = {"platform", password};
    options.negative_reason_guid = std::move(reason_guid);
    options.http.sleep = [](absl::Duration) {};
    auto sink = NcmecFeedbackSink::Create(options);
    EXPECT_TRUE(sink.ok()) << sink.status();
    return sink.ok() ? *std::move(sink) : nullptr;
  }

  static FeedbackItem Item(std::string entry_id, std::string hash_type,
                           FeedbackVerdict verdict) {
    FeedbackItem item;
    item.id = 1;
    item.bank = "ncmec";
    item.entry_id = std::move(entry_id);
    item.hash_type = std::move(hash_type);
    item.verdict = verdict;
    return item;
  }

  FeedbackResult SendOne(NcmecFeedbackSink& sink, const FeedbackItem& item) {
    std::vector<FeedbackResult> results = sink.Send({&item, 1});
    EXPECT_EQ(results.size(), 1u);
    return results.empty() ? FeedbackResult() : results[0];
  }

  // The verdict a server reads from a PUT body: "affirmative" or the guid.
  static std::string VerdictOf(const Put& put) {
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(put.body.c_str()));
    pugi::xml_node root = doc.child("feedbackSubmission");
    if (root.child("affirmative")) return "affirmative";
    return root.child("negative")
        .child("reasonIds")
        .child("guid")
        .child_value();
  }

  std::unique_ptr<testing::NcmecTestServer> server_;
};

TEST_F(NcmecFeedbackSinkTest, ConfirmedIsAffirmativeForTheMatchedType) {
  auto sink = MakeSink();
  EXPECT_EQ(sink->bank(), "ncmec");
  EXPECT_EQ(sink->max_batch(), 1u);
  FeedbackResult result =
      SendOne(*sink, Item("42-img-7", "pdq", FeedbackVerdict::kConfirmed));
  EXPECT_EQ(result.outcome, FeedbackOutcome::kSent) << result.status;
  result = SendOne(*sink, Item("43-v1", "md5", FeedbackVerdict::kConfirmed));
  EXPECT_EQ(result.outcome, FeedbackOutcome::kSent) << result.status;
  std::vector<Put> puts = server_->feedback();
  ASSERT_EQ(puts.size(), 2u);
  EXPECT_EQ(puts[0].member_id, 42);
  EXPECT_EQ(puts[0].id, "img-7");  // split at the first '-'
  EXPECT_EQ(puts[0].type, "PDQ");
  EXPECT_EQ(VerdictOf(puts[0]), "affirmative");
  EXPECT_EQ(puts[1].member_id, 43);
  EXPECT_EQ(puts[1].type, "MD5");
}

TEST_F(NcmecFeedbackSinkTest, FalsePositiveUsesTheConfiguredReason) {
  server_->SetReasons("SHA1", {{kGuid, "one"}, {kOtherGuid, "two"}});
  auto sink = MakeSink(kOtherGuid);
  FeedbackResult result =
      SendOne(*sink, Item("9-x", "sha1", FeedbackVerdict::kFalsePositive));
  EXPECT_EQ(result.outcome, FeedbackOutcome::kSent) << result.status;
  ASSERT_EQ(server_->feedback().size(), 1u);
  EXPECT_EQ(server_->feedback()[0].type, "SHA1");
  EXPECT_EQ(VerdictOf(server_->feedback()[0]), kOtherGuid);
}

TEST_F(NcmecFeedbackSinkTest, FalsePositiveLooksUpTheOnlyReasonOffered) {
  server_->SetReasons("PDQ", {{kGuid, "Not the reported content"}});
  auto sink = MakeSink();
  for (int i = 0; i < 2; ++i) {
    FeedbackResult result =
        SendOne(*sink, Item("9-x", "pdq", FeedbackVerdict::kFalsePositive));
    EXPECT_EQ(result.outcome, FeedbackOutcome::kSent) << result.status;
  }
  ASSERT_EQ(server_->feedback().size(), 2u);
  EXPECT_EQ(VerdictOf(server_->feedback()[0]), kGuid);
  EXPECT_EQ(VerdictOf(server_->feedback()[1]), kGuid);
}

TEST_F(NcmecFeedbackSinkTest, SeveralReasonsAndNoneConfiguredIsRejected) {
  server_->SetReasons("MD5", {{kGuid, "one"}, {kOtherGuid, "two"}});
  auto sink = MakeSink();
  FeedbackResult result =
      SendOne(*sink, Item("9-x", "md5", FeedbackVerdict::kFalsePositive));
  EXPECT_EQ(result.outcome, FeedbackOutcome::kRejected);
  EXPECT_THAT(result.status.message(),
              HasSubstr("offers 2 negative feedback reasons for MD5"));
  EXPECT_THAT(result.status.message(), HasSubstr("negative_reason_guid"));
  EXPECT_TRUE(server_->feedback().empty());
}

TEST_F(NcmecFeedbackSinkTest, RefusalsAreRejectedAndOutagesRetried) {
  auto sink = MakeSink();
  FeedbackResult bad_id =
      SendOne(*sink, Item("no-member", "md5", FeedbackVerdict::kConfirmed));
  EXPECT_EQ(bad_id.outcome, FeedbackOutcome::kRejected);
  FeedbackResult bad_type =
      SendOne(*sink, Item("1-x", "vpdq", FeedbackVerdict::kConfirmed));
  EXPECT_EQ(bad_type.outcome, FeedbackOutcome::kRejected);
  EXPECT_THAT(bad_type.status.message(), HasSubstr("vpdq"));

  auto unauthorized = MakeSink("", "wrong");
  FeedbackResult denied =
      SendOne(*unauthorized, Item("1-x", "md5", FeedbackVerdict::kConfirmed));
  EXPECT_EQ(denied.outcome, FeedbackOutcome::kRejected);
  EXPECT_EQ(denied.status.code(), absl::StatusCode::kUnauthenticated);

  const std::string url = server_->base_url();
  sink.reset();  // their connections, which the server would wait for
  unauthorized.reset();
  server_.reset();  // the service is down
  NcmecFeedbackSink::Options options;
  options.base_url = url;
  options.credentials = {"platform", "secret"};
  options.http.sleep = [](absl::Duration) {};
  auto down = NcmecFeedbackSink::Create(options);
  ASSERT_TRUE(down.ok());
  FeedbackResult retry =
      SendOne(**down, Item("1-x", "md5", FeedbackVerdict::kConfirmed));
  EXPECT_EQ(retry.outcome, FeedbackOutcome::kRetry);
  EXPECT_EQ(retry.status.code(), absl::StatusCode::kUnavailable);
}

TEST_F(NcmecFeedbackSinkTest, ThrottlingAndServerErrorsAreRetriedLater) {
  using Fault = testing::NcmecTestServer::Fault;
  auto sink = MakeSink();  // two attempts per Send
  server_->QueueFeedbackFaults({Fault::kTooManyRequests,
                                Fault::kTooManyRequests, Fault::kServerError,
                                Fault::kServerError});
  const FeedbackItem item = Item("1-x", "md5", FeedbackVerdict::kConfirmed);
  FeedbackResult throttled = SendOne(*sink, item);
  EXPECT_EQ(throttled.outcome, FeedbackOutcome::kRetry);
  EXPECT_THAT(throttled.status.message(), HasSubstr("429"));
  FeedbackResult failing = SendOne(*sink, item);
  EXPECT_EQ(failing.outcome, FeedbackOutcome::kRetry);
  EXPECT_THAT(failing.status.message(), HasSubstr("500"));
  EXPECT_TRUE(server_->feedback().empty());
  EXPECT_EQ(SendOne(*sink, item).outcome, FeedbackOutcome::kSent);
  EXPECT_EQ(server_->feedback().size(), 1u);
}

TEST_F(NcmecFeedbackSinkTest, RefusesAReasonThatIsNotAGuid) {
  NcmecFeedbackSink::Options options;
  options.base_url = server_->base_url();
  options.credentials = {"platform", "secret"};
  options.negative_reason_guid = "not a guid";
  auto sink = NcmecFeedbackSink::Create(options);
  EXPECT_EQ(sink.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(sink.status().message(), HasSubstr("negative_reason_guid"));
}

}  // namespace
}  // namespace clearmatch
