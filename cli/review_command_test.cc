// Tests of `clearmatch review` that need no daemon: usage errors, an
// unreachable daemon, verify-audit on a clean and on an edited store, and
// `outbox` against the Review service on an in-process gRPC server. The
// other daemon-backed subcommands are covered by
// tests/integration/review_integration_test.cc.
#include <grpcpp/grpcpp.h>
#include <sqlite3.h>
#include <unistd.h>

#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "clearmatch/v1/config.pb.h"
#include "cli/command.h"
#include "config/daemon_config.h"
#include "daemon/daemon_metrics.h"
#include "daemon/request_authorizer.h"
#include "daemon/review_service.h"
#include "daemon/unix_socket_listener.h"
#include "daemon/worker_pool.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postgres/postgres_connection.h"
#include "review/postgres_review_store.h"
#include "review/sqlite_review_store.h"
#include "testing/postgres_server.h"
#include "testing/temp_dir.h"

namespace clearmatch::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int RunReview(const std::vector<std::string>& args, std::string* out_text,
              std::string* err_text) {
  std::ostringstream out, err;
  const int code = RunReviewCommand(args, out, err);
  *out_text = out.str();
  *err_text = err.str();
  return code;
}

TEST(ReviewCommandTest, UsageErrors) {
  std::string out, err;
  EXPECT_EQ(RunReview({}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("usage: clearmatch review"));
  EXPECT_EQ(RunReview({"frobnicate"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("unknown subcommand frobnicate"));
  EXPECT_EQ(RunReview({"list", "--bogus"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("unknown option --bogus"));
  EXPECT_EQ(RunReview({"list", "--status", "maybe"}, &out, &err), 2);
  EXPECT_EQ(RunReview({"list", "--since", "yesterday"}, &out, &err), 2);
  EXPECT_EQ(RunReview({"list", "--bank"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("--bank needs a value"));
  EXPECT_EQ(RunReview({"show"}, &out, &err), 2);
  EXPECT_EQ(RunReview({"show", "-3"}, &out, &err), 2);
  EXPECT_EQ(RunReview({"decide", "5", "maybe"}, &out, &err), 2);
  EXPECT_EQ(RunReview({"decide", "5"}, &out, &err), 2);
  EXPECT_EQ(RunReview({"verify-audit"}, &out, &err), 2);
  EXPECT_EQ(RunReview({"outbox", "--state", "maybe"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr("--state must be pending, sent"));
  EXPECT_EQ(RunReview({"outbox", "--page-size", "0"}, &out, &err), 2);
  EXPECT_EQ(RunReview({"outbox", "7"}, &out, &err), 2);
}

TEST(ReviewCommandTest, UnreachableDaemonFails) {
  std::string out, err;
  // Port 1 on loopback: nothing listens there.
  EXPECT_EQ(RunReview({"list", "--addr", "127.0.0.1:1"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("code 14"));  // UNAVAILABLE
}

TEST(ReviewCommandTest, VerifyAuditOfAPostgresDatabase) {
  auto url = testing::PostgresServer::Shared().CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status();
  {
    PostgresReviewStore::Options options;
    options.connection.url = *url;
    auto store = PostgresReviewStore::Create(options);
    ASSERT_TRUE(store.ok()) << store.status();
    v1::MatchRecord record;
    record.set_content_id("c1");
    record.add_matches()->set_entry_id("e1");
    (*store)->Enqueue(record);
    (*store)->Flush();
    v1::DecideRequest decide;
    decide.set_match_id(1);
    decide.set_outcome(v1::CONFIRMED);
    decide.set_reviewer("alice");
    ASSERT_TRUE((*store)->Decide(decide).ok());
  }
  std::string out, err;
  EXPECT_EQ(RunReview({"verify-audit", "--database-url", *url}, &out, &err), 0)
      << err;
  EXPECT_EQ(out, "audit chain ok: 1 rows\n");
  PostgresConnection::Options options;
  options.url = *url;
  auto db = PostgresConnection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(db->Exec("DROP TRIGGER audit_append_only ON audit;"
                       "UPDATE audit SET at = at + 1 WHERE seq = 1;")
                  .ok());
  EXPECT_EQ(RunReview({"verify-audit", "--database-url", *url}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("audit row 1"));
  // Both or neither of --store and --database-url: usage.
  EXPECT_EQ(RunReview({"verify-audit", "--database-url", *url, "--store", "x"},
                      &out, &err),
            2);
  // An unreachable database: its password never shows.
  err.clear();
  EXPECT_EQ(RunReview({"verify-audit", "--database-url",
                       "postgresql://a:s3cret@/r?host=/nonexistent"},
                      &out, &err),
            1);
  EXPECT_THAT(err, HasSubstr("unavailable"));
  EXPECT_THAT(err, Not(HasSubstr("s3cret")));
}

TEST(ReviewCommandTest, VerifyAuditCleanAndEdited) {
  const testing::TempDir dir("clearmatch-review-cli");
  const std::string path = dir.File("review.sqlite");
  {
    SqliteReviewStore::Options options;
    options.path = path;
    auto store = SqliteReviewStore::Create(options);
    ASSERT_TRUE(store.ok()) << store.status();
    v1::MatchRecord record;
    record.set_content_id("c1");
    record.add_matches()->set_entry_id("e1");
    (*store)->Enqueue(record);
    (*store)->Flush();
    v1::DecideRequest decide;
    decide.set_match_id(1);
    decide.set_outcome(v1::CONFIRMED);
    decide.set_reviewer("alice");
    ASSERT_TRUE((*store)->Decide(decide).ok());
  }
  std::string out, err;
  EXPECT_EQ(RunReview({"verify-audit", "--store", path}, &out, &err), 0) << err;
  EXPECT_EQ(out, "audit chain ok: 1 rows\n");

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TRIGGER audit_no_update;"
                         "UPDATE audit SET at = at + 1 WHERE seq = 1;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(RunReview({"verify-audit", "--store", path}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("audit row 1"));

  EXPECT_EQ(
      RunReview({"verify-audit", "--store", dir.File("missing")}, &out, &err),
      1);
}

// `review outbox` against the Review service of a store with one sent and
// one pending verdict.
TEST(ReviewCommandTest, OutboxListsRowsAndCounts) {
  const testing::TempDir dir("clearmatch-review-cli");
  SqliteReviewStore::Options options;
  options.path = dir.File("review.sqlite");
  auto store = SqliteReviewStore::Create(options);
  ASSERT_TRUE(store.ok()) << store.status();
  v1::MatchRecord record;
  record.set_content_id("c1");
  for (const auto& [bank, entry, type] :
       {std::tuple{"ncmec", "m-1", "pdq"}, std::tuple{"tid", "e1", "md5"}}) {
    v1::Match* match = record.add_matches();
    match->set_bank(bank);
    match->set_entry_id(entry);
    match->set_hash_type(type);
  }
  (*store)->Enqueue(record);
  (*store)->Flush();
  v1::DecideRequest decide;
  decide.set_match_id(1);
  decide.set_outcome(v1::CONFIRMED);
  decide.set_reviewer("alice");
  ASSERT_TRUE((*store)->Decide(decide).ok());
  ASSERT_TRUE((*store)->MarkFeedbackSent({1}).ok());
  ASSERT_TRUE(
      (*store)
          ->RetryFeedbackLater(2, absl::FromUnixSeconds(1893456000), "503")
          .ok());

  WorkerPool pool(/*workers=*/1, /*queue_size=*/8);
  DaemonMetrics metrics;
  // Over the unix socket as this test's user, which has every role by
  // default.
  std::unique_ptr<UnixSocketListener> listener;
  v1::DaemonConfig config;
  ApplyDaemonConfigDefaults(&config);
  const RequestAuthorizer authorizer(config, [&](absl::string_view peer) {
    return listener != nullptr ? listener->UidOf(peer) : std::nullopt;
  });
  ReviewService service(**store, pool, metrics, authorizer);
  auto listening = UnixSocketListener::Create(dir.File("review.sock"));
  ASSERT_TRUE(listening.ok()) << listening.status();
  listener = *std::move(listening);
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  listener->Start(*server);
  const std::string addr = "unix:" + listener->path();

  std::string out, err;
  ASSERT_EQ(RunReview({"outbox", "--addr", addr}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("ID "));
  EXPECT_THAT(out, ::testing::ContainsRegex(
                       "\n1 +1 +ncmec +m-1 +pdq +CONFIRMED +sent +1 +- +\n"));
  EXPECT_THAT(out, ::testing::ContainsRegex(
                       "\n2 +1 +tid +e1 +md5 +CONFIRMED +pending +1 +"
                       "2030-01-01T00:00:00Z +503\n"));
  EXPECT_THAT(out, HasSubstr("counts: ncmec: sent 1; tid: pending 1\n"));

  ASSERT_EQ(
      RunReview({"outbox", "--addr", addr, "--state", "pending", "--json"},
                &out, &err),
      0)
      << err;
  EXPECT_THAT(out, HasSubstr("\"entry_id\":\"e1\""));
  EXPECT_THAT(out, Not(HasSubstr("m-1")));
  EXPECT_THAT(out, HasSubstr("\"counts\":["));

  ASSERT_EQ(RunReview({"outbox", "--addr", addr, "--bank", "none"}, &out, &err),
            0)
      << err;
  EXPECT_THAT(out, Not(HasSubstr("m-1")));
  listener->Stop();
  server->Shutdown();
  server->Wait();
}

}  // namespace
}  // namespace clearmatch::cli
