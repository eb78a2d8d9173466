// Tests of `clearmatch review` that need no daemon: usage errors, an
// unreachable daemon, verify-audit on a clean and on an edited store, and
// `outbox`, `audit` and `stats` against the Review service on an in-process
// gRPC server (a unix socket; audit's paging against a fake service). The
// other daemon-backed subcommands are covered by
// tests/integration/review_integration_test.cc.
#include <grpcpp/grpcpp.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clearmatch/v1/config.pb.h"
#include "cli/command.h"
#include "cli/review_args.h"
#include "cli/review_report_commands.h"
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
#include "review/review_store.h"
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

// A new SQLite review store in `dir` (nullptr, after a failure, if it
// could not be made).
// Records one match (id 1) in `store` and confirms it: an audit chain of
// one decision to verify.
void RecordAndConfirmOne(ReviewStore& store) {
  v1::MatchRecord record;
  record.set_content_id("c1");
  record.add_matches()->set_entry_id("e1");
  store.Enqueue(record);
  store.Flush();
  v1::DecideRequest decide;
  decide.set_match_id(1);
  decide.set_outcome(v1::CONFIRMED);
  decide.set_reviewer("alice");
  ASSERT_TRUE(store.Decide(decide).ok());
}

std::unique_ptr<SqliteReviewStore> OpenStore(const testing::TempDir& dir) {
  SqliteReviewStore::Options options;
  options.path = dir.File("review.sqlite");
  auto store = SqliteReviewStore::Create(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

// The Review service of `store` on a unix socket in `dir`, as the daemon
// serves it. Callers are this test's user, with the roles `config` gives it
// (every role with the defaults).
class ReviewServiceOnSocket {
 public:
  ReviewServiceOnSocket(ReviewStore& store, const testing::TempDir& dir,
                        const v1::DaemonConfig& config)
      : authorizer_(config,
                    [this](absl::string_view peer) {
                      return listener_ != nullptr ? listener_->UidOf(peer)
                                                  : std::nullopt;
                    }),
        service_(store, pool_, metrics_, authorizer_),
        socket_path_(dir.File("review.sock")) {}
  ~ReviewServiceOnSocket() {
    if (listener_ != nullptr) listener_->Stop();
    if (server_ != nullptr) {
      server_->Shutdown();
      server_->Wait();
    }
  }

  static v1::DaemonConfig DefaultConfig() {
    v1::DaemonConfig config;
    ApplyDaemonConfigDefaults(&config);
    return config;
  }

  // Call once, under ASSERT_NO_FATAL_FAILURE.
  void Start() {
    auto listening = UnixSocketListener::Create(socket_path_);
    ASSERT_TRUE(listening.ok()) << listening.status();
    listener_ = *std::move(listening);
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    listener_->Start(*server_);
  }
  // The --addr of the service.
  std::string address() const { return "unix:" + socket_path_; }

 private:
  WorkerPool pool_{/*workers=*/1, /*queue_size=*/8};
  DaemonMetrics metrics_;
  std::unique_ptr<UnixSocketListener> listener_;
  const RequestAuthorizer authorizer_;
  ReviewService service_;
  const std::string socket_path_;
  std::unique_ptr<grpc::Server> server_;
};

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
    RecordAndConfirmOne(**store);
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
    RecordAndConfirmOne(**store);
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
  std::unique_ptr<SqliteReviewStore> store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  v1::MatchRecord record;
  record.set_content_id("c1");
  for (const auto& [bank, entry, type] :
       {std::tuple{"ncmec", "m-1", "pdq"}, std::tuple{"tid", "e1", "md5"}}) {
    v1::Match* match = record.add_matches();
    match->set_bank(bank);
    match->set_entry_id(entry);
    match->set_hash_type(type);
  }
  store->Enqueue(record);
  store->Flush();
  v1::DecideRequest decide;
  decide.set_match_id(1);
  decide.set_outcome(v1::CONFIRMED);
  decide.set_reviewer("alice");
  ASSERT_TRUE(store->Decide(decide).ok());
  ASSERT_TRUE(store->MarkFeedbackSent({1}).ok());
  ASSERT_TRUE(
      store->RetryFeedbackLater(2, absl::FromUnixSeconds(1893456000), "503")
          .ok());

  ReviewServiceOnSocket service(*store, dir,
                                ReviewServiceOnSocket::DefaultConfig());
  ASSERT_NO_FATAL_FAILURE(service.Start());
  const std::string addr = service.address();

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
}

TEST(ReviewCommandTest, AuditAndStatsRefuseBadFlags) {
  const std::pair<std::vector<std::string>, const char*> kBad[] = {
      {{"audit", "--limit", "0"}, "--limit must be a positive number"},
      {{"audit", "--match", "seven"}, "--match must be a positive number"},
      {{"audit", "--match"}, "--match needs a value"},
      {{"audit", "--since", "20", "--until", "10"},
       "--until must be after --since"},
      {{"audit", "3"}, "unexpected argument 3"},
      {{"stats", "--since", "yesterday"},
       "--since and --until are unix seconds"},
      {{"stats", "--until", "5", "--since", "5"},
       "--until must be after --since"},
      {{"stats", "--limitless"}, "unknown option --limitless"},
  };
  for (const auto& [args, message] : kBad) {
    std::string out, err;
    EXPECT_EQ(RunReview(args, &out, &err), 2) << args[1];
    EXPECT_THAT(err, HasSubstr(message));
    EXPECT_EQ(out, "");
  }
}

constexpr char kMd5[] = "0123456789abcdef0123456789abcdef";
constexpr int64_t kPendingRecordedSeconds = 1700000000;  // 2023-11-14 22:13:20

std::string Utc(int64_t micros, const char* format = "%Y-%m-%dT%H:%M:%SZ") {
  return absl::FormatTime(format, absl::FromUnixMicros(micros),
                          absl::UTCTimeZone());
}

// A store with three matches: 1 (ncmec/m-1, recorded an hour before it was
// CONFIRMED), 2 (tid/e2 by MD5, recorded two hours before it was found a
// FALSE_POSITIVE, a second later: its pair is allowlisted) and 3 (pending,
// recorded at kPendingRecordedSeconds); its Review service on a unix socket.
class ReviewReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenStore(dir_);
    ASSERT_NE(store_, nullptr);
    const int64_t now = absl::ToUnixMicros(absl::Now());
    recorded_[0] = now - 3600 * 1000000LL;
    recorded_[1] = now - 7200 * 1000000LL;
    Record("ncmec", "m-1", "pdq", recorded_[0]);
    Record("tid", "e2", "md5", recorded_[1]);
    Record("tid", "e3", "pdq", kPendingRecordedSeconds * 1000000LL);
    store_->Flush();
    decided_[0] = Decide(1, v1::CONFIRMED, "real one");
    // The second decision in the next second, so that --since and --until
    // in seconds can tell them apart.
    absl::SleepFor(absl::Seconds(decided_[0] / 1000000 + 1) -
                   absl::Microseconds(decided_[0]) + absl::Milliseconds(5));
    decided_[1] = Decide(2, v1::FALSE_POSITIVE, "not \"hers\"\nat all");
    service_ = std::make_unique<ReviewServiceOnSocket>(
        *store_, dir_, ReviewServiceOnSocket::DefaultConfig());
    ASSERT_NO_FATAL_FAILURE(service_->Start());
  }

  void Record(const char* bank, const char* entry, const char* type,
              int64_t recorded_micros) {
    v1::MatchRecord record;
    record.set_content_id(absl::StrCat("c-", entry));
    record.set_recorded_unix_micros(recorded_micros);
    record.mutable_query_hashes()->set_md5(kMd5);
    v1::Match* match = record.add_matches();
    match->set_bank(bank);
    match->set_entry_id(entry);
    match->set_hash_type(type);
    ASSERT_TRUE(store_->Enqueue(record));
  }

  // The time of the decision.
  int64_t Decide(int64_t id, v1::ReviewOutcome outcome, const char* note) {
    v1::DecideRequest decide;
    decide.set_match_id(id);
    decide.set_outcome(outcome);
    decide.set_reviewer("alice");
    decide.set_note(note);
    absl::StatusOr<v1::MatchRecord> record = store_->Decide(decide);
    EXPECT_TRUE(record.ok()) << record.status();
    return record.ok() ? record->decisions().rbegin()->decided_unix_micros()
                       : 0;
  }

  int Run(std::vector<std::string> args, std::string* out, std::string* err) {
    args.insert(args.begin() + 1, {"--addr", service_->address()});
    return RunReview(args, out, err);
  }

  // The audit lines of the rows the store wrote: the decision of match 1,
  // the decision of match 2 and the allowlisting of its pair.
  std::vector<std::string> ExpectedAuditLines() const {
    return {absl::StrCat("1 ", Utc(decided_[0]),
                         " alice decide match 1 CONFIRMED \"real one\"\n"),
            absl::StrCat("2 ", Utc(decided_[1]),
                         " alice decide match 2 FALSE_POSITIVE "
                         "\"not \\\"hers\\\"\\nat all\"\n"),
            absl::StrCat("3 ", Utc(decided_[1]),
                         " alice allowlist_add match 2 tid/e2 md5:", kMd5,
                         " \"match 2\"\n")};
  }
  std::string Seconds(int index) const {
    return absl::StrCat(decided_[index] / 1000000);
  }

  const testing::TempDir dir_{"clearmatch-review-cli"};
  std::unique_ptr<SqliteReviewStore> store_;
  std::unique_ptr<ReviewServiceOnSocket> service_;
  int64_t recorded_[2] = {0, 0};
  int64_t decided_[2] = {0, 0};
};

TEST_F(ReviewReportsTest, AuditPrintsEveryRowOldestFirstOrAsJson) {
  const std::vector<std::string> lines = ExpectedAuditLines();
  std::string out, err;
  ASSERT_EQ(Run({"audit"}, &out, &err), 0) << err;
  EXPECT_EQ(out, lines[0] + lines[1] + lines[2]);
  ASSERT_EQ(Run({"audit", "--match", "2"}, &out, &err), 0) << err;
  EXPECT_EQ(out, lines[1] + lines[2]);
  ASSERT_EQ(Run({"audit", "--limit", "2"}, &out, &err), 0) << err;
  EXPECT_EQ(out, lines[0] + lines[1]);
  ASSERT_EQ(Run({"audit", "--match", "2", "--limit", "1"}, &out, &err), 0);
  EXPECT_EQ(out, lines[1]);
  ASSERT_EQ(Run({"audit", "--since", Seconds(1)}, &out, &err), 0) << err;
  EXPECT_EQ(out, lines[1] + lines[2]);
  ASSERT_EQ(Run({"audit", "--until", Seconds(1)}, &out, &err), 0) << err;
  EXPECT_EQ(out, lines[0]);
  ASSERT_EQ(Run({"audit", "--match", "3"}, &out, &err), 0) << err;
  EXPECT_EQ(out, "");  // pending: no audit rows

  ASSERT_EQ(Run({"audit", "--json", "--match", "1"}, &out, &err), 0) << err;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_THAT(out, HasSubstr("\"seq\":\"1\""));
  EXPECT_THAT(out, HasSubstr("\"kind\":\"decide\""));
  EXPECT_THAT(out, HasSubstr("\"actor\":\"alice\""));
  EXPECT_THAT(out, HasSubstr("\"outcome\":\"CONFIRMED\""));
  EXPECT_THAT(out, HasSubstr("\"note\":\"real one\""));
  EXPECT_THAT(out,
              HasSubstr(absl::StrCat("\"at_unix_micros\":\"", decided_[0])));
}

// The time to decision as the store computes it (sorted, interpolated).
std::string SecondsText(double low, double high, double fraction) {
  return absl::StrFormat("%.1f", low * (1 - fraction) + high * fraction);
}

TEST_F(ReviewReportsTest, StatsTableOfAllOrARangeOrJson) {
  std::string out, err;
  ASSERT_EQ(Run({"stats"}, &out, &err), 0) << err;
  const double first = (decided_[0] - recorded_[0]) / 1e6;   // about 3600
  const double second = (decided_[1] - recorded_[1]) / 1e6;  // about 7200
  EXPECT_THAT(out, HasSubstr(absl::StrCat(
                       "decided: 2 (time to the first decision: median ",
                       SecondsText(first, second, 0.5), " s, p90 ",
                       SecondsText(first, second, 0.9), " s)\n")));
  EXPECT_THAT(out, HasSubstr("pending: 1 (oldest recorded "
                             "2023-11-14T22:13:20Z)\n"));
  const std::string day0 = Utc(decided_[0], "%Y-%m-%d");
  const std::string day1 = Utc(decided_[1], "%Y-%m-%d");
  if (day0 == day1) {
    EXPECT_THAT(out, ::testing::ContainsRegex(
                         absl::StrCat("\n", day0, " +1 +1 +0 +2\n")));
  } else {  // the test ran over midnight UTC
    EXPECT_THAT(
        out, ::testing::ContainsRegex(absl::StrCat("\n", day0, " +1 +0 +0 +1\n",
                                                   day1, " +0 +1 +0 +1\n")));
  }
  EXPECT_THAT(out, ::testing::ContainsRegex(
                       "\nBANK +CONFIRMED +FALSE_POSITIVE +ESCALATED +TOTAL\n"
                       "ncmec +1 +0 +0 +1\n"
                       "tid +0 +1 +0 +1\n$"));

  ASSERT_EQ(Run({"stats", "--since", Seconds(1)}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("decided: 1 "));
  EXPECT_THAT(out, ::testing::ContainsRegex("\ntid +0 +1 +0 +1\n$"));
  EXPECT_THAT(out, Not(HasSubstr("ncmec")));
  ASSERT_EQ(Run({"stats", "--until", Seconds(0)}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("decided: 0 "));
  EXPECT_THAT(out, HasSubstr("\n(no decisions)\n"));

  ASSERT_EQ(Run({"stats", "--json"}, &out, &err), 0) << err;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_THAT(out, HasSubstr("\"decided_count\":\"2\""));
  EXPECT_THAT(out, HasSubstr("\"pending_count\":\"1\""));
  EXPECT_THAT(out, HasSubstr("{\"bank\":\"ncmec\",\"outcome\":\"CONFIRMED\","
                             "\"count\":\"1\"}"));
}

// A caller with the checker role only.
TEST(ReviewCommandTest, AuditAndStatsNeedTheReviewerRole) {
  const testing::TempDir dir("clearmatch-review-cli");
  std::unique_ptr<SqliteReviewStore> store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  v1::DaemonConfig config;
  v1::UnixRoleMapping* user = config.add_unix_roles();
  user->set_uid(geteuid());
  user->add_roles("checker");
  ApplyDaemonConfigDefaults(&config);
  ReviewServiceOnSocket service(*store, dir, config);
  ASSERT_NO_FATAL_FAILURE(service.Start());
  std::string out, err;
  EXPECT_EQ(RunReview({"audit", "--addr", service.address()}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("(code 7)"));  // PERMISSION_DENIED
  EXPECT_THAT(err, HasSubstr("reviewer"));
  EXPECT_EQ(RunReview({"stats", "--addr", service.address()}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("(code 7)"));
  EXPECT_EQ(out, "");
}

// A Review service whose ListAudit serves kRows rows (seq 1..kRows) in
// pages of two, and records the requests.
class PagedAuditService final : public v1::Review::CallbackService {
 public:
  static constexpr int kRows = 5;

  grpc::ServerUnaryReactor* ListAudit(
      grpc::CallbackServerContext* context, const v1::ListAuditRequest* request,
      v1::ListAuditResponse* response) override {
    requests.push_back(*request);
    int64_t after = 0;
    if (!request->page_token().empty()) {
      after = std::stoll(request->page_token().substr(5));  // "after7"
    }
    for (int64_t seq = after + 1; seq <= std::min<int64_t>(after + 2, kRows);
         ++seq) {
      v1::AuditEntry* entry = response->add_entries();
      entry->set_seq(seq);
      entry->set_at_unix_micros(seq * 1000000);
      entry->set_kind("decide");
      entry->set_match_id(request->match_id());
      entry->set_actor("bob");
    }
    if (after + 2 < kRows) {
      response->set_next_page_token(absl::StrCat("after", after + 2));
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  std::vector<v1::ListAuditRequest> requests;
};

TEST(ReviewAuditPagingTest, FollowsEveryPageUpToTheLimit) {
  PagedAuditService service;
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto stub =
      v1::Review::NewStub(server->InProcessChannel(grpc::ChannelArguments()));
  std::ostringstream out, err;
  ReviewArgs args;
  args.flags["--match"] = "9";
  ASSERT_EQ(RunReviewAudit(*stub, args, out, err), 0) << err.str();
  EXPECT_EQ(out.str(),
            "1 1970-01-01T00:00:01Z bob decide match 9\n"
            "2 1970-01-01T00:00:02Z bob decide match 9\n"
            "3 1970-01-01T00:00:03Z bob decide match 9\n"
            "4 1970-01-01T00:00:04Z bob decide match 9\n"
            "5 1970-01-01T00:00:05Z bob decide match 9\n");
  ASSERT_EQ(service.requests.size(), 3u);
  EXPECT_EQ(service.requests[0].match_id(), 9);
  EXPECT_EQ(service.requests[0].page_token(), "");
  EXPECT_EQ(service.requests[1].page_token(), "after2");
  EXPECT_EQ(service.requests[2].page_token(), "after4");

  // --limit 3: the pages until the third row, then no more calls; the
  // time filter sees the rows of every page it reads.
  service.requests.clear();
  std::ostringstream limited, limited_err;
  args.flags["--limit"] = "3";
  args.flags["--since"] = "2";
  ASSERT_EQ(RunReviewAudit(*stub, args, limited, limited_err), 0);
  EXPECT_EQ(limited.str(),
            "2 1970-01-01T00:00:02Z bob decide match 9\n"
            "3 1970-01-01T00:00:03Z bob decide match 9\n"
            "4 1970-01-01T00:00:04Z bob decide match 9\n");
  EXPECT_EQ(service.requests.size(), 2u);
  server->Shutdown();
}

}  // namespace
}  // namespace clearmatch::cli
