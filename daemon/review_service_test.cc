// Tests of ReviewService's threading on an in-process gRPC server: store
// calls run on the review pool, a full review queue answers
// RESOURCE_EXHAUSTED, request checks stay inline, Check is answered while
// a Decide waits for the review worker, and ListFeedback lists the outbox
// for callers with the reviewer role. The services are reached over a
// UnixSocketListener as this test's user, mapped (unix_roles) to every role
// under the name "alice". The review worker is held by a task the test
// releases, so nothing depends on timing.
#include "daemon/review_service.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "config/daemon_config.h"
#include "daemon/daemon_metrics.h"
#include "daemon/match_pipeline.h"
#include "daemon/matcher_service.h"
#include "daemon/request_authorizer.h"
#include "daemon/unix_socket_listener.h"
#include "daemon/worker_pool.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/index_builder.h"
#include "index/index_holder.h"
#include "matching/verdict_policy.h"
#include "review/sqlite_review_store.h"
#include "testing/pdq_codes.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

// The defaults, with this process's uid known as "alice" and given `roles`.
v1::DaemonConfig ConfigWithRoles(const std::vector<std::string>& roles = {
                                     "checker", "reviewer", "admin"}) {
  v1::DaemonConfig config;
  ApplyDaemonConfigDefaults(&config);
  v1::UnixRoleMapping* self = config.add_unix_roles();
  self->set_uid(static_cast<uint32_t>(geteuid()));
  self->set_name("alice");
  for (const std::string& role : roles) self->add_roles(role);
  return config;
}

// A server with `services` on a unix socket in `dir`; the listener is
// stopped and the server shut down at destruction.
class UnixTestServer {
 public:
  UnixTestServer(const testing::TempDir& dir, const std::string& name,
                 const std::vector<grpc::Service*>& services) {
    auto listener = UnixSocketListener::Create(dir.File(name));
    EXPECT_TRUE(listener.ok()) << listener.status();
    if (!listener.ok()) return;
    listener_ = *std::move(listener);
    grpc::ServerBuilder builder;
    for (grpc::Service* service : services) builder.RegisterService(service);
    server_ = builder.BuildAndStart();
    EXPECT_NE(server_, nullptr);
    if (server_ != nullptr) listener_->Start(*server_);
  }
  ~UnixTestServer() {
    if (listener_ != nullptr) listener_->Stop();
    if (server_ != nullptr) {
      server_->Shutdown();
      server_->Wait();
    }
  }

  std::optional<uint32_t> UidOf(absl::string_view peer) const {
    return listener_ != nullptr ? listener_->UidOf(peer) : std::nullopt;
  }
  std::shared_ptr<grpc::Channel> Channel() const {
    return grpc::CreateChannel("unix:" + listener_->path(),
                               grpc::InsecureChannelCredentials());
  }

 private:
  std::unique_ptr<UnixSocketListener> listener_;
  std::unique_ptr<grpc::Server> server_;
};

// A Review service on a unix socket in `dir` whose callers (this process's
// user) hold the checker role only.
class CheckerOnlyReview {
 public:
  CheckerOnlyReview(ReviewStore& store, WorkerPool& pool,
                    DaemonMetrics& metrics, const testing::TempDir& dir)
      : authorizer_(ConfigWithRoles({"checker"}),
                    [this](absl::string_view peer) {
                      return server_ != nullptr ? server_->UidOf(peer)
                                                : std::nullopt;
                    }),
        service_(store, pool, metrics, authorizer_),
        server_(std::make_unique<UnixTestServer>(
            dir, "checker.sock", std::vector<grpc::Service*>{&service_})) {}

  std::shared_ptr<grpc::Channel> Channel() const { return server_->Channel(); }

 private:
  const RequestAuthorizer authorizer_;
  ReviewService service_;
  std::unique_ptr<UnixTestServer> server_;  // last: stopped first
};

// A Matcher and a Review service on a unix socket, the Review service on a
// one-thread pool with `review_queue` waiting slots.
class ReviewServiceTest : public ::testing::Test {
 protected:
  explicit ReviewServiceTest(int review_queue = 1)
      : review_pool_(/*workers=*/1, review_queue) {}

  void SetUp() override {
    SqliteReviewStore::Options store_options;
    store_options.path = dir_.File("review.sqlite");
    absl::StatusOr<std::unique_ptr<ReviewStore>> store =
        SqliteReviewStore::Create(store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);

    absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create(config_);
    ASSERT_TRUE(policy.ok()) << policy.status();
    policy_ = std::make_unique<VerdictPolicy>(*std::move(policy));
    std::mt19937_64 rng(7);
    std::vector<HashEntry> entries;
    entries.push_back(testing::PdqEntry(testing::RandomCode(rng), "entry-1"));
    auto snapshot = IndexBuilder(IndexBuilder::Options{}).Build(entries, 1);
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    ASSERT_TRUE(holder_.Swap(*std::move(snapshot)).ok());
    pipeline_ = std::make_unique<MatchPipeline>(MatchPipeline::Options{},
                                                *policy_, holder_, metrics_);
    matcher_ =
        std::make_unique<MatcherService>(MatcherService::Options{}, *pipeline_,
                                         match_pool_, metrics_, authorizer_);
    review_ = std::make_unique<ReviewService>(*store_, review_pool_, metrics_,
                                              authorizer_);

    server_ = std::make_unique<UnixTestServer>(
        dir_, "review.sock",
        std::vector<grpc::Service*>{matcher_.get(), review_.get()});
    auto channel = server_->Channel();
    matcher_stub_ = v1::Matcher::NewStub(channel);
    review_stub_ = v1::Review::NewStub(channel);
  }

  void TearDown() override {
    // In case a test failed while holding the worker.
    if (!release_.HasBeenNotified()) release_.Notify();
    server_.reset();
  }

  // Occupies the review worker until release_ is notified.
  void HoldReviewWorker() {
    ASSERT_TRUE(
        review_pool_.TrySubmit([this] { release_.WaitForNotification(); }));
  }

  // Polls until `load` review tasks are running or waiting; false after a
  // minute (the pool has no condition to wait on).
  bool AwaitReviewLoad(int64_t load) {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (review_pool_.Load() < load) {
      if (absl::Now() > give_up) return false;
      absl::SleepFor(absl::Milliseconds(1));
    }
    return true;
  }

  // A recorded match, as the pipeline records one.
  int64_t RecordMatch() {
    v1::MatchRecord record;
    record.set_content_id("c1");
    record.set_decision(v1::BLOCK);
    record.add_matches()->set_entry_id("entry-1");
    store_->Enqueue(record);
    store_->Flush();
    absl::StatusOr<v1::ListMatchesResponse> listed = store_->ListMatches({});
    EXPECT_TRUE(listed.ok()) << listed.status();
    EXPECT_EQ(listed->matches_size(), 1);
    return listed->matches_size() > 0 ? listed->matches(0).match_id() : 0;
  }

  // First, so that it is removed after everything that has files in it.
  const testing::TempDir dir_{"clearmatch-review-service"};
  const v1::DaemonConfig config_ = ConfigWithRoles();
  DaemonMetrics metrics_;
  RequestAuthorizer authorizer_{
      config_, [this](absl::string_view peer) {
        return server_ != nullptr ? server_->UidOf(peer) : std::nullopt;
      }};
  IndexHolder holder_;
  WorkerPool match_pool_{/*workers=*/1, /*queue_size=*/4};
  std::unique_ptr<ReviewStore> store_;
  std::unique_ptr<VerdictPolicy> policy_;
  std::unique_ptr<MatchPipeline> pipeline_;
  std::unique_ptr<MatcherService> matcher_;
  // Stopped after the server, before the store (members are destroyed in
  // reverse order).
  WorkerPool review_pool_;
  absl::Notification release_;
  std::unique_ptr<ReviewService> review_;
  std::unique_ptr<UnixTestServer> server_;
  std::unique_ptr<v1::Matcher::Stub> matcher_stub_;
  std::unique_ptr<v1::Review::Stub> review_stub_;
};

class FullReviewQueueTest : public ReviewServiceTest {
 protected:
  FullReviewQueueTest() : ReviewServiceTest(/*review_queue=*/0) {}
};

TEST_F(FullReviewQueueTest, FullQueueAnswersResourceExhaustedNamingIt) {
  const int64_t id = RecordMatch();
  HoldReviewWorker();

  v1::ListMatchesResponse listed;
  grpc::ClientContext list_context;
  const grpc::Status list_status =
      review_stub_->ListMatches(&list_context, {}, &listed);
  EXPECT_EQ(list_status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(list_status.error_message(), HasSubstr("review queue full"));

  v1::DecideRequest decide;
  decide.set_match_id(id);
  decide.set_outcome(v1::CONFIRMED);
  decide.set_reviewer("alice");
  v1::MatchRecord record;
  grpc::ClientContext decide_context;
  EXPECT_EQ(review_stub_->Decide(&decide_context, decide, &record).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Request checks stay inline: a Decide naming another reviewer than the
  // caller is refused for that, full queue or not.
  decide.set_reviewer("mallory");
  grpc::ClientContext anonymous_context;
  EXPECT_EQ(
      review_stub_->Decide(&anonymous_context, decide, &record).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);

  release_.Notify();
  absl::StatusOr<v1::MatchRecord> stored = store_->GetMatch(id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->decisions_size(), 0);  // the refused Decide did nothing
}

// The decode pool (1 worker, 4 waiting) is held full: a Check with media
// is refused at once, naming the cause, and so is a hash-only Check (hash
// checks run on the pool too: a huge vPDQ list is real work); once the pool
// drains the hash-only Check is answered.
TEST_F(ReviewServiceTest, CheckWithMediaIsRefusedWhileEveryDecodeWorkerIsHeld) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        match_pool_.TrySubmit([this] { release_.WaitForNotification(); }));
  }
  ASSERT_FALSE(match_pool_.TrySubmit([] {}));  // full, by construction

  v1::CheckRequest check;
  check.set_context(v1::UPLOAD);
  check.set_media(std::string(1000, 'x'));
  v1::CheckResponse response;
  grpc::ClientContext context;
  const grpc::Status refused = matcher_stub_->Check(&context, check, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("all 1 decode workers are busy and the queue is full"));

  check.clear_media();
  check.mutable_hashes()->set_md5(std::string(32, '0'));
  grpc::ClientContext hash_context;
  const grpc::Status hash_refused =
      matcher_stub_->Check(&hash_context, check, &response);
  EXPECT_EQ(hash_refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  release_.Notify();
  // The held tasks end; the pool then takes the check again.
  grpc::Status answered;
  for (int i = 0; i < 600; ++i) {
    grpc::ClientContext retry_context;
    answered = matcher_stub_->Check(&retry_context, check, &response);
    if (answered.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(answered.ok()) << answered.error_message();
}

TEST_F(ReviewServiceTest, CheckIsAnsweredWhileADecideWaitsForTheStore) {
  const int64_t id = RecordMatch();
  HoldReviewWorker();

  v1::DecideRequest decide;
  decide.set_match_id(id);
  decide.set_outcome(v1::CONFIRMED);
  decide.set_reviewer("alice");
  v1::MatchRecord decided;
  grpc::ClientContext decide_context;
  grpc::Status decide_status;
  absl::Notification decide_done;
  review_stub_->async()->Decide(&decide_context, &decide, &decided,
                                [&](grpc::Status status) {
                                  decide_status = std::move(status);
                                  decide_done.Notify();
                                });
  // The Decide waits behind the held worker.
  ASSERT_TRUE(AwaitReviewLoad(2)) << "load " << review_pool_.Load();

  v1::CheckRequest check;
  check.set_content_id("c2");
  check.set_context(v1::UPLOAD);
  check.mutable_hashes()->set_md5(std::string(32, '0'));
  v1::CheckResponse response;
  grpc::ClientContext check_context;
  const grpc::Status check_status =
      matcher_stub_->Check(&check_context, check, &response);
  ASSERT_TRUE(check_status.ok()) << check_status.error_message();
  EXPECT_EQ(response.decision(), v1::ALLOW);
  EXPECT_EQ(response.snapshot_version(), 1u);
  EXPECT_FALSE(decide_done.HasBeenNotified());

  release_.Notify();
  decide_done.WaitForNotification();
  ASSERT_TRUE(decide_status.ok()) << decide_status.error_message();
  ASSERT_EQ(decided.decisions_size(), 1);
  EXPECT_EQ(decided.decisions(0).reviewer(), "alice");
  EXPECT_EQ(decided.decisions(0).outcome(), v1::CONFIRMED);
}

TEST_F(ReviewServiceTest, ListFeedbackListsTheOutboxWithCounts) {
  v1::MatchRecord record;
  record.set_content_id("c1");
  v1::Match* match = record.add_matches();
  match->set_bank("ncmec");
  match->set_entry_id("m-1");
  match->set_hash_type("pdq");
  store_->Enqueue(record);
  store_->Flush();
  v1::DecideRequest decide;
  decide.set_match_id(1);
  decide.set_outcome(v1::FALSE_POSITIVE);
  decide.set_reviewer("alice");
  v1::MatchRecord decided;
  grpc::ClientContext decide_context;
  ASSERT_TRUE(review_stub_->Decide(&decide_context, decide, &decided).ok());

  v1::ListFeedbackRequest request;
  request.set_state(v1::FEEDBACK_PENDING);
  v1::ListFeedbackResponse listed;
  grpc::ClientContext context;
  const grpc::Status status =
      review_stub_->ListFeedback(&context, request, &listed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(listed.rows_size(), 1);
  EXPECT_EQ(listed.rows(0).bank(), "ncmec");
  EXPECT_EQ(listed.rows(0).entry_id(), "m-1");
  EXPECT_EQ(listed.rows(0).verdict(), v1::FALSE_POSITIVE);
  EXPECT_EQ(listed.rows(0).match_id(), 1);
  ASSERT_EQ(listed.counts_size(), 1);
  EXPECT_EQ(listed.counts(0).state(), v1::FEEDBACK_PENDING);
  EXPECT_EQ(listed.counts(0).count(), 1);

  request.set_state(v1::FEEDBACK_SENT);
  grpc::ClientContext sent_context;
  ASSERT_TRUE(review_stub_->ListFeedback(&sent_context, request, &listed).ok());
  EXPECT_EQ(listed.rows_size(), 0);
  EXPECT_EQ(listed.counts_size(), 1);  // of the whole outbox

  request.set_page_token("not-a-token");
  grpc::ClientContext bad_context;
  EXPECT_EQ(
      review_stub_->ListFeedback(&bad_context, request, &listed).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

// ListFeedback needs the reviewer role like the other Review reads: an
// anonymous caller (plaintext TCP) is told to authenticate, a unix user
// with only the checker role is refused naming itself and the role.
TEST_F(ReviewServiceTest, ListFeedbackNeedsTheReviewerRole) {
  ReviewService tcp_service(*store_, review_pool_, metrics_, authorizer_);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&tcp_service);
  std::unique_ptr<grpc::Server> tcp_server = builder.BuildAndStart();
  ASSERT_NE(tcp_server, nullptr);
  auto tcp_stub = v1::Review::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  v1::ListFeedbackResponse listed;
  grpc::ClientContext tcp_context;
  const grpc::Status anonymous =
      tcp_stub->ListFeedback(&tcp_context, {}, &listed);
  EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(anonymous.error_message(),
              HasSubstr("the reviewer role needs an authenticated caller"));
  tcp_server->Shutdown();
  tcp_server->Wait();

  const CheckerOnlyReview checker_only(*store_, review_pool_, metrics_, dir_);
  grpc::ClientContext unix_context;
  const grpc::Status denied = v1::Review::NewStub(checker_only.Channel())
                                  ->ListFeedback(&unix_context, {}, &listed);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(denied.error_message(), HasSubstr("unix user \"alice\" (uid " +
                                                std::to_string(geteuid()) +
                                                ") lacks the reviewer role"));
}

TEST_F(ReviewServiceTest, ListAuditAndGetStatsAnswerFromTheStore) {
  const int64_t id = RecordMatch();
  v1::DecideRequest decide;
  decide.set_match_id(id);
  decide.set_outcome(v1::CONFIRMED);
  decide.set_note("seen");
  v1::MatchRecord decided;
  grpc::ClientContext decide_context;
  ASSERT_TRUE(review_stub_->Decide(&decide_context, decide, &decided).ok());

  v1::ListAuditRequest audit_request;
  audit_request.set_match_id(id);
  v1::ListAuditResponse audit;
  grpc::ClientContext audit_context;
  const grpc::Status listed =
      review_stub_->ListAudit(&audit_context, audit_request, &audit);
  ASSERT_TRUE(listed.ok()) << listed.error_message();
  ASSERT_EQ(audit.entries_size(), 1);
  EXPECT_EQ(audit.entries(0).kind(), "decide");
  EXPECT_EQ(audit.entries(0).actor(), "alice");  // the caller
  EXPECT_EQ(audit.entries(0).outcome(), v1::CONFIRMED);

  v1::ReviewStats stats;
  grpc::ClientContext stats_context;
  const grpc::Status got = review_stub_->GetStats(&stats_context, {}, &stats);
  ASSERT_TRUE(got.ok()) << got.error_message();
  EXPECT_EQ(stats.decided_count(), 1);
  EXPECT_EQ(stats.pending_count(), 0);
  ASSERT_EQ(stats.per_day_size(), 1);
  EXPECT_EQ(stats.per_day(0).outcome(), v1::CONFIRMED);

  v1::GetStatsRequest bad;
  bad.set_start_unix_micros(-1);
  grpc::ClientContext bad_context;
  EXPECT_EQ(review_stub_->GetStats(&bad_context, bad, &stats).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// Both need the reviewer role: a checker-only unix user is refused.
TEST_F(ReviewServiceTest, ListAuditAndGetStatsNeedTheReviewerRole) {
  const CheckerOnlyReview checker_only(*store_, review_pool_, metrics_, dir_);
  auto stub = v1::Review::NewStub(checker_only.Channel());
  v1::ListAuditResponse audit;
  grpc::ClientContext audit_context;
  EXPECT_EQ(stub->ListAudit(&audit_context, {}, &audit).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ReviewStats stats;
  grpc::ClientContext stats_context;
  const grpc::Status denied = stub->GetStats(&stats_context, {}, &stats);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(denied.error_message(), HasSubstr("lacks the reviewer role"));
}

}  // namespace
}  // namespace clearmatch
