// Tests of the review store's feedback outbox: the rows a decision writes
// (both verdicts, overrides, nothing for ESCALATED or a failed decision),
// due rows and the results of attempts, the listing and its counts, and the
// migration of a version-1 file's dispute outbox.
#include <sqlite3.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "review/review_test_database.h"
#include "review/sqlite_review_store.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A record of `content_id` matching `entries` ("bank/entry/hash_type").
v1::MatchRecord Record(const std::string& content_id,
                       const std::vector<std::string>& entries) {
  v1::MatchRecord record;
  record.set_content_id(content_id);
  record.set_decision(v1::BLOCK);
  for (const std::string& entry : entries) {
    const std::vector<std::string> parts = absl::StrSplit(entry, '/');
    v1::Match* match = record.add_matches();
    match->set_bank(parts[0]);
    match->set_entry_id(parts[1]);
    match->set_hash_type(parts[2]);
    match->set_source_feed(parts[0]);
  }
  return record;
}

std::vector<std::string> Describe(const std::vector<v1::FeedbackRow>& rows) {
  std::vector<std::string> out;
  for (const v1::FeedbackRow& row : rows) {
    out.push_back(absl::StrCat(row.bank(), "/", row.entry_id(), "/",
                               row.hash_type(), " ",
                               v1::ReviewOutcome_Name(row.verdict()), " ",
                               v1::FeedbackState_Name(row.state())));
  }
  return out;
}

class FeedbackOutboxTest : public ::testing::TestWithParam<ReviewBackend> {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    store_.reset();
    auto store = db_.Open();
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  int64_t Add(const v1::MatchRecord& record) {
    store_->Enqueue(record);
    store_->Flush();
    auto page = store_->ListMatches({});
    EXPECT_TRUE(page.ok()) << page.status();
    return page->matches(0).match_id();  // newest first
  }
  absl::Status Decide(int64_t id, v1::ReviewOutcome outcome,
                      bool override = false) {
    v1::DecideRequest request;
    request.set_match_id(id);
    request.set_outcome(outcome);
    request.set_reviewer("alice");
    request.set_note("checked");
    request.set_override(override);
    return store_->Decide(request).status();
  }
  std::vector<v1::FeedbackRow> All(
      v1::FeedbackState state = v1::FEEDBACK_STATE_UNSPECIFIED) {
    v1::ListFeedbackRequest request;
    request.set_state(state);
    request.set_page_size(1000);
    auto page = store_->ListFeedback(request);
    EXPECT_TRUE(page.ok()) << page.status();
    return {page->rows().begin(), page->rows().end()};
  }
  std::vector<v1::FeedbackRow> Due(absl::Time now = absl::Now()) {
    auto due = store_->PendingFeedback(now, 100);
    EXPECT_TRUE(due.ok()) << due.status();
    return due.ok() ? *due : std::vector<v1::FeedbackRow>{};
  }

  ReviewTestDatabase db_{GetParam()};
  std::unique_ptr<ReviewStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, FeedbackOutboxTest, kReviewBackends,
                         ReviewBackendName);

TEST_P(FeedbackOutboxTest, BothVerdictsWriteOneRowPerMatchedEntry) {
  const int64_t a = Add(Record(
      "c1", {"ncmec/m-1/md5", "ncmec/m-1/pdq", "ncmec/m-1/pdq", "tid/e1/pdq"}));
  const int64_t b = Add(Record("c2", {"stopncii/h2/pdq"}));
  const int64_t c = Add(Record("c3", {"stopncii/h3/pdq"}));
  const absl::Time before = absl::Now();
  ASSERT_TRUE(Decide(a, v1::CONFIRMED).ok());
  ASSERT_TRUE(Decide(b, v1::FALSE_POSITIVE).ok());
  ASSERT_TRUE(Decide(c, v1::ESCALATED).ok());  // writes nothing

  const std::vector<v1::FeedbackRow> due = Due();
  EXPECT_THAT(Describe(due),
              ElementsAre("ncmec/m-1/md5 CONFIRMED FEEDBACK_PENDING",
                          "ncmec/m-1/pdq CONFIRMED FEEDBACK_PENDING",
                          "tid/e1/pdq CONFIRMED FEEDBACK_PENDING",
                          "stopncii/h2/pdq FALSE_POSITIVE FEEDBACK_PENDING"));
  ASSERT_EQ(due.size(), 4u);
  EXPECT_EQ(due[0].match_id(), a);
  EXPECT_EQ(due[3].match_id(), b);
  EXPECT_EQ(due[0].note(), "checked");
  EXPECT_EQ(due[0].source_feed(), "ncmec");
  EXPECT_EQ(due[0].attempts(), 0);
  EXPECT_GE(due[0].created_unix_micros(), absl::ToUnixMicros(before));
  EXPECT_LT(due[0].id(), due[1].id());

  // Durable: the rows are in the file, not only in this process.
  Open();
  EXPECT_EQ(Due().size(), 4u);
}

TEST_P(FeedbackOutboxTest, OverrideSupersedesThePendingRowNotTheSentOne) {
  const int64_t id = Add(Record("c1", {"ncmec/m-1/pdq"}));
  ASSERT_TRUE(Decide(id, v1::CONFIRMED).ok());
  ASSERT_TRUE(Decide(id, v1::FALSE_POSITIVE, /*override=*/true).ok());
  EXPECT_THAT(Describe(All()),
              ElementsAre("ncmec/m-1/pdq CONFIRMED FEEDBACK_SUPERSEDED",
                          "ncmec/m-1/pdq FALSE_POSITIVE FEEDBACK_PENDING"));
  std::vector<v1::FeedbackRow> due = Due();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].verdict(), v1::FALSE_POSITIVE);
  ASSERT_TRUE(store_->MarkFeedbackSent({due[0].id()}).ok());

  // A later override sends the new verdict; the sent one stays sent.
  ASSERT_TRUE(Decide(id, v1::CONFIRMED, /*override=*/true).ok());
  // ESCALATED neither adds nor supersedes.
  ASSERT_TRUE(Decide(id, v1::ESCALATED, /*override=*/true).ok());
  EXPECT_THAT(Describe(All()),
              ElementsAre("ncmec/m-1/pdq CONFIRMED FEEDBACK_SUPERSEDED",
                          "ncmec/m-1/pdq FALSE_POSITIVE FEEDBACK_SENT",
                          "ncmec/m-1/pdq CONFIRMED FEEDBACK_PENDING"));
}

TEST_P(FeedbackOutboxTest, AFailedDecisionWritesNothing) {
  const int64_t id = Add(Record("c1", {"ncmec/m-1/pdq"}));
  ASSERT_TRUE(Decide(id, v1::CONFIRMED).ok());
  EXPECT_EQ(Decide(id, v1::FALSE_POSITIVE).code(),  // no override
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Decide(id + 100, v1::CONFIRMED).code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(Describe(All()),
              ElementsAre("ncmec/m-1/pdq CONFIRMED FEEDBACK_PENDING"));
}

TEST_P(FeedbackOutboxTest, AttemptsResultsAndDueTimes) {
  const int64_t id = Add(Record(
      "c1", {"ncmec/m-1/pdq", "ncmec/m-2/pdq", "stopncii/h/pdq", "tid/e/md5"}));
  ASSERT_TRUE(Decide(id, v1::CONFIRMED).ok());
  const std::vector<v1::FeedbackRow> rows = Due();
  ASSERT_EQ(rows.size(), 4u);
  const absl::Time now = absl::Now();
  const absl::Time later = now + absl::Minutes(5);

  ASSERT_TRUE(
      store_->RetryFeedbackLater(rows[0].id(), later, "UNAVAILABLE: down")
          .ok());
  ASSERT_TRUE(store_->MarkFeedbackRejected(rows[1].id(), "400: bad id").ok());
  ASSERT_TRUE(store_->MarkFeedbackNotApplicable({rows[3].id()}).ok());

  // Only the StopNCII row is due now; skipping its bank leaves none.
  std::vector<v1::FeedbackRow> due = Due(now);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].bank(), "stopncii");
  auto skipped = store_->DueFeedback(now, 100, {"stopncii", "other"});
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_TRUE(skipped->empty());
  EXPECT_EQ(store_->PendingFeedback(now, 0).status().code(),
            absl::StatusCode::kInvalidArgument);

  // The retried row is due again at its time, with its attempt counted.
  due = Due(later);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].id(), rows[0].id());
  EXPECT_EQ(due[0].attempts(), 1);
  EXPECT_EQ(due[0].last_error(), "UNAVAILABLE: down");
  EXPECT_EQ(due[0].next_attempt_unix_micros(), absl::ToUnixMicros(later));

  // Across a reopen too.
  Open();
  ASSERT_TRUE(store_->RetryFeedbackLater(rows[0].id(), later, "again").ok());
  ASSERT_TRUE(store_->MarkFeedbackSent({rows[0].id(), rows[2].id()}).ok());
  EXPECT_TRUE(Due(later + absl::Hours(1)).empty());
  const std::vector<v1::FeedbackRow> all = All();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].state(), v1::FEEDBACK_SENT);
  EXPECT_EQ(all[0].attempts(), 3);
  EXPECT_EQ(all[1].state(), v1::FEEDBACK_REJECTED);
  EXPECT_EQ(all[1].last_error(), "400: bad id");
  EXPECT_EQ(all[2].state(), v1::FEEDBACK_SENT);
  EXPECT_EQ(all[3].state(), v1::FEEDBACK_NOT_APPLICABLE);
  EXPECT_EQ(all[3].attempts(), 0);

  // Finished rows stay finished.
  ASSERT_TRUE(store_->RetryFeedbackLater(rows[1].id(), now, "late").ok());
  ASSERT_TRUE(store_->MarkFeedbackSent({rows[3].id()}).ok());
  EXPECT_EQ(All()[1].state(), v1::FEEDBACK_REJECTED);
  EXPECT_EQ(All()[3].state(), v1::FEEDBACK_NOT_APPLICABLE);
}

TEST_P(FeedbackOutboxTest, ARowSupersededWhileInFlightIsRecordedAsSent) {
  const int64_t id = Add(Record("c1", {"ncmec/m-1/pdq"}));
  ASSERT_TRUE(Decide(id, v1::CONFIRMED).ok());
  const std::vector<v1::FeedbackRow> taken = Due();
  ASSERT_EQ(taken.size(), 1u);
  ASSERT_TRUE(Decide(id, v1::FALSE_POSITIVE, /*override=*/true).ok());
  // The dispatcher's retry of the old row does not bring it back.
  ASSERT_TRUE(store_->RetryFeedbackLater(taken[0].id(), absl::Now(), "x").ok());
  EXPECT_THAT(Describe(Due()),
              ElementsAre("ncmec/m-1/pdq FALSE_POSITIVE FEEDBACK_PENDING"));
  ASSERT_TRUE(store_->MarkFeedbackSent({taken[0].id()}).ok());
  EXPECT_THAT(Describe(All()),
              ElementsAre("ncmec/m-1/pdq CONFIRMED FEEDBACK_SENT",
                          "ncmec/m-1/pdq FALSE_POSITIVE FEEDBACK_PENDING"));
}

TEST_P(FeedbackOutboxTest, ListingFiltersPagesAndCounts) {
  for (int i = 0; i < 5; ++i) {
    const int64_t id =
        Add(Record(absl::StrCat("c", i), {absl::StrCat("ncmec/m-", i, "/pdq"),
                                          absl::StrCat("tid/e", i, "/md5")}));
    ASSERT_TRUE(Decide(id, v1::CONFIRMED).ok());
  }
  std::vector<v1::FeedbackRow> due = Due();
  ASSERT_EQ(due.size(), 10u);
  ASSERT_TRUE(store_->MarkFeedbackSent({due[0].id(), due[2].id()}).ok());

  v1::ListFeedbackRequest request;
  request.set_state(v1::FEEDBACK_PENDING);
  request.set_bank("ncmec");
  request.set_page_size(2);
  auto first = store_->ListFeedback(request);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->rows_size(), 2);
  EXPECT_EQ(first->rows(0).entry_id(), "m-2");
  EXPECT_EQ(first->rows(1).entry_id(), "m-3");
  ASSERT_FALSE(first->next_page_token().empty());
  ASSERT_EQ(first->counts_size(), 3);  // whole outbox, by bank and state
  EXPECT_EQ(first->counts(0).bank(), "ncmec");
  EXPECT_EQ(first->counts(0).state(), v1::FEEDBACK_PENDING);
  EXPECT_EQ(first->counts(0).count(), 3);
  EXPECT_EQ(first->counts(1).state(), v1::FEEDBACK_SENT);
  EXPECT_EQ(first->counts(1).count(), 2);
  EXPECT_EQ(first->counts(2).bank(), "tid");
  EXPECT_EQ(first->counts(2).count(), 5);

  request.set_page_token(first->next_page_token());
  auto second = store_->ListFeedback(request);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->rows_size(), 1);
  EXPECT_EQ(second->rows(0).entry_id(), "m-4");
  EXPECT_TRUE(second->next_page_token().empty());

  // A token of other filters, a bad page size.
  request.set_bank("tid");
  EXPECT_EQ(store_->ListFeedback(request).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.clear_page_token();
  request.set_page_size(ReviewStore::kMaxPageSize + 1);
  EXPECT_EQ(store_->ListFeedback(request).status().code(),
            absl::StatusCode::kInvalidArgument);

  auto pending = store_->CountFeedback(v1::FEEDBACK_PENDING);
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].count(), 3);
  EXPECT_EQ((*pending)[1].count(), 5);
}

// A file of schema version 1 with the tables it had then (only those the
// migration reads; the others are created as in a new file).
void MakeVersion1File(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, R"sql(
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('schema_version', '1');
    CREATE TABLE dispute_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      bank TEXT NOT NULL, entry_id TEXT NOT NULL, source_feed TEXT NOT NULL,
      hash_type TEXT NOT NULL, match_id INTEGER NOT NULL,
      note TEXT NOT NULL, created_at INTEGER NOT NULL, sent_at INTEGER);
    INSERT INTO dispute_outbox (bank, entry_id, source_feed, hash_type,
        match_id, note, created_at, sent_at) VALUES
      ('ncmec', 'm-1', 'ncmec', 'pdq', 4, 'not her', 1000, NULL),
      ('tid', 'e2', 'f1', 'md5', 5, 'sent already', 2000, 3000),
      ('stopncii', 'h3', 'stopncii', 'pdq', 6, '', 4000, NULL);
  )sql",
                              nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

std::string QueryText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string out;
  sqlite3_exec(
      db, sql.c_str(),
      [](void* text, int columns, char** values, char**) {
        auto* out = static_cast<std::string*>(text);
        for (int i = 0; i < columns; ++i) {
          absl::StrAppend(out, values[i] == nullptr ? "NULL" : values[i], ";");
        }
        return 0;
      },
      &out, nullptr);
  sqlite3_close(db);
  return out;
}

TEST(FeedbackOutboxMigrationTest, Version1DisputesBecomeFalsePositiveRows) {
  TempDir dir;
  const std::string path = dir.File("review.sqlite");
  MakeVersion1File(path);
  {
    SqliteReviewStore::Options options;
    options.path = path;
    auto store = SqliteReviewStore::Create(options);
    ASSERT_TRUE(store.ok()) << store.status();
    v1::ListFeedbackRequest request;
    auto listed = (*store)->ListFeedback(request);
    ASSERT_TRUE(listed.ok()) << listed.status();
    EXPECT_THAT(Describe({listed->rows().begin(), listed->rows().end()}),
                ElementsAre("ncmec/m-1/pdq FALSE_POSITIVE FEEDBACK_PENDING",
                            "tid/e2/md5 FALSE_POSITIVE FEEDBACK_SENT",
                            "stopncii/h3/pdq FALSE_POSITIVE FEEDBACK_PENDING"));
    const v1::FeedbackRow& first = listed->rows(0);
    EXPECT_EQ(first.match_id(), 4);
    EXPECT_EQ(first.note(), "not her");
    EXPECT_EQ(first.created_unix_micros(), 1000);
    EXPECT_EQ(first.attempts(), 0);
    EXPECT_EQ(listed->rows(1).updated_unix_micros(), 3000);
    auto due = (*store)->PendingFeedback(absl::Now(), 10);
    ASSERT_TRUE(due.ok()) << due.status();
    EXPECT_EQ(due->size(), 2u);
  }
  EXPECT_EQ(QueryText(path,
                      "SELECT value FROM meta WHERE key = "
                      "'schema_version'"),
            "4;");
  EXPECT_EQ(QueryText(path,
                      "SELECT name FROM sqlite_master WHERE name = "
                      "'dispute_outbox'"),
            "");
  // Opening again migrates nothing twice.
  SqliteReviewStore::Options options;
  options.path = path;
  auto store = SqliteReviewStore::Create(options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->ListFeedback({})->rows_size(), 3);
}

TEST(FeedbackOutboxMigrationTest, AnUnknownVersionIsRefusedAndLeftAsItWas) {
  TempDir dir;
  const std::string path = dir.File("review.sqlite");
  MakeVersion1File(path);
  QueryText(path, "UPDATE meta SET value = '9'");
  SqliteReviewStore::Options options;
  options.path = path;
  auto store = SqliteReviewStore::Create(options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("schema version 9"));
  // Nothing was created in it: the open ran in one transaction.
  EXPECT_EQ(QueryText(path,
                      "SELECT count(*) FROM sqlite_master WHERE name = "
                      "'feedback_outbox'"),
            "0;");
  EXPECT_EQ(QueryText(path, "SELECT count(*) FROM dispute_outbox"), "3;");
}

}  // namespace
}  // namespace clearmatch
