// Tests of `clearmatch review` that need no daemon: usage errors, an
// unreachable daemon, and verify-audit on a clean and on an edited store.
// The daemon-backed subcommands are covered by
// tests/integration/review_integration_test.cc.
#include <sqlite3.h>
#include <unistd.h>

#include <sstream>

#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "review/sqlite_review_store.h"
#include "testing/temp_dir.h"

namespace clearmatch::cli {
namespace {

using ::testing::HasSubstr;

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
}

TEST(ReviewCommandTest, UnreachableDaemonFails) {
  std::string out, err;
  // Port 1 on loopback: nothing listens there.
  EXPECT_EQ(RunReview({"list", "--addr", "127.0.0.1:1"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("code 14"));  // UNAVAILABLE
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

}  // namespace
}  // namespace clearmatch::cli
