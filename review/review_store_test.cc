// Tests of ReviewStore: recording, listing with filters and pagination,
// decisions, export, the allowlist, bounded queueing, full disk, and
// acknowledged decisions across SIGKILL of the process (fsync itself:
// review_store_durability_test.cc).
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "review/audit_chain.h"
#include "review/review_test_database.h"
#include "review/sqlite_review_store.h"
#include "testing/sqlite_query.h"
#include "testing/sqlite_test_vfs.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using ::clearmatch::testing::QueryColumn;
using ::clearmatch::testing::TempDir;

constexpr char kSha256[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kPdq[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

// A verdict of `content_id` matching bank/entry (from feed "f1").
v1::MatchRecord Record(const std::string& content_id, const std::string& bank,
                       const std::string& entry_id,
                       v1::Decision decision = v1::BLOCK,
                       int64_t recorded_micros = 0) {
  v1::MatchRecord record;
  record.set_content_id(content_id);
  record.set_context(v1::UPLOAD);
  record.set_decision(decision);
  record.set_recorded_unix_micros(recorded_micros);
  record.set_snapshot_version(7);
  record.set_policy(bank + ": upload=BLOCK");
  v1::Match* match = record.add_matches();
  match->set_bank(bank);
  match->set_entry_id(entry_id);
  match->set_hash_type("pdq");
  match->set_category("ncii");
  match->set_distance(3);
  match->set_transform("original");
  match->set_source_feed("f1");
  match->set_decision(decision);
  record.mutable_query_hashes()->set_sha256(kSha256);
  v1::PdqHashValue* pdq = record.mutable_query_hashes()->add_pdq();
  pdq->set_hash(kPdq);
  pdq->set_quality(100);
  return record;
}

class ReviewStoreTest : public ::testing::TestWithParam<ReviewBackend> {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    store_.reset();
    auto store = db_.Open();
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  // Records and waits until written; returns the ids, oldest first.
  std::vector<int64_t> Add(const std::vector<v1::MatchRecord>& records) {
    for (const v1::MatchRecord& r : records) store_->Enqueue(r);
    store_->Flush();
    v1::ListMatchesRequest request;
    request.set_page_size(static_cast<int>(records.size()));
    auto page = store_->ListMatches(request);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<int64_t> ids;
    for (const v1::MatchRecord& r : page->matches())
      ids.push_back(r.match_id());
    return std::vector<int64_t>(ids.rbegin(), ids.rend());
  }
  std::vector<std::string> ListContentIds(v1::ListMatchesRequest request) {
    auto page = store_->ListMatches(request);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const auto& r : page->matches()) ids.push_back(r.content_id());
    }
    return ids;
  }
  absl::StatusOr<v1::MatchRecord> Decide(
      int64_t id, v1::ReviewOutcome outcome, bool override = false,
      const std::string& reviewer = "alice") {
    v1::DecideRequest request;
    request.set_match_id(id);
    request.set_outcome(outcome);
    request.set_reviewer(reviewer);
    request.set_note("looked at it");
    request.set_override(override);
    return store_->Decide(request);
  }

  ReviewTestDatabase db_{GetParam()};
  std::unique_ptr<ReviewStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ReviewStoreTest, kReviewBackends,
                         ReviewBackendName);

TEST_P(ReviewStoreTest, RecordsAreListedNewestFirstWithEverything) {
  const std::vector<int64_t> ids =
      Add({Record("c1", "tid", "e1"), Record("c2", "tid", "e2"),
           Record("c3", "stopncii", "e3", v1::REVIEW)});
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_LT(ids[1], ids[2]);
  EXPECT_THAT(ListContentIds({}), ElementsAre("c3", "c2", "c1"));

  auto got = store_->GetMatch(ids[2]);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->match_id(), ids[2]);
  EXPECT_EQ(got->decision(), v1::REVIEW);
  EXPECT_EQ(got->snapshot_version(), 7u);
  EXPECT_EQ(got->policy(), "stopncii: upload=BLOCK");
  EXPECT_EQ(got->query_hashes().sha256(), kSha256);
  ASSERT_EQ(got->matches_size(), 1);
  EXPECT_EQ(got->matches(0).entry_id(), "e3");
  EXPECT_EQ(got->matches(0).source_feed(), "f1");
  EXPECT_GT(got->recorded_unix_micros(), 0);
  EXPECT_TRUE(got->decisions().empty());
  EXPECT_EQ(store_->stats().recorded, 3);

  EXPECT_EQ(store_->GetMatch(ids[2] + 100).status().code(),
            absl::StatusCode::kNotFound);
}

// A clip's match keeps the video rule's fields (docs/DAEMON.md, "Videos").
TEST_P(ReviewStoreTest, VideoMatchFieldsRoundTrip) {
  v1::MatchRecord record = Record("clip", "tid", "v1", v1::REVIEW);
  v1::Match* match = record.mutable_matches(0);
  match->set_hash_type("vpdq");
  match->set_video_rule(v1::Match::UPLOAD_IN_BANKED);
  match->set_reference_rule_match(false);
  match->set_segment_seconds(5);
  match->set_query_pct(100);
  match->set_target_pct(14.5);
  v1::TimeRange* query = match->add_query_ranges();
  query->set_start_seconds(0);
  query->set_end_seconds(4);
  v1::TimeRange* target = match->add_target_ranges();
  target->set_start_seconds(10);
  target->set_end_seconds(14);
  const std::vector<int64_t> ids = Add({record});
  ASSERT_EQ(ids.size(), 1u);
  auto got = store_->GetMatch(ids[0]);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->matches_size(), 1);
  const v1::Match& back = got->matches(0);
  EXPECT_EQ(back.video_rule(), v1::Match::UPLOAD_IN_BANKED);
  EXPECT_FALSE(back.reference_rule_match());
  EXPECT_EQ(back.segment_seconds(), 5);
  EXPECT_EQ(back.target_pct(), 14.5);
  ASSERT_EQ(back.query_ranges_size(), 1);
  EXPECT_EQ(back.query_ranges(0).end_seconds(), 4);
  ASSERT_EQ(back.target_ranges_size(), 1);
  EXPECT_EQ(back.target_ranges(0).start_seconds(), 10);
  EXPECT_EQ(back.target_ranges(0).end_seconds(), 14);
}

TEST_P(ReviewStoreTest, Filters) {
  const std::vector<int64_t> ids =
      Add({Record("old", "tid", "e1", v1::BLOCK, 1000),
           Record("mid", "stopncii", "e2", v1::REVIEW, 2000),
           Record("new", "tid", "e3", v1::TAKEDOWN, 3000)});
  ASSERT_TRUE(Decide(ids[1], v1::ESCALATED).ok());

  v1::ListMatchesRequest bank;
  bank.set_bank("tid");
  EXPECT_THAT(ListContentIds(bank), ElementsAre("new", "old"));
  v1::ListMatchesRequest verdict;
  verdict.set_decision(v1::REVIEW);
  EXPECT_THAT(ListContentIds(verdict), ElementsAre("mid"));
  v1::ListMatchesRequest pending;
  pending.set_status(v1::ListMatchesRequest::PENDING);
  EXPECT_THAT(ListContentIds(pending), ElementsAre("new", "old"));
  v1::ListMatchesRequest decided;
  decided.set_status(v1::ListMatchesRequest::DECIDED);
  EXPECT_THAT(ListContentIds(decided), ElementsAre("mid"));
  v1::ListMatchesRequest outcome;
  outcome.set_outcome(v1::CONFIRMED);
  EXPECT_TRUE(ListContentIds(outcome).empty());
  v1::ListMatchesRequest range;
  range.set_start_unix_micros(2000);  // inclusive
  range.set_end_unix_micros(3000);    // exclusive
  EXPECT_THAT(ListContentIds(range), ElementsAre("mid"));

  v1::ListMatchesRequest bad_range;
  bad_range.set_start_unix_micros(3000);
  bad_range.set_end_unix_micros(2000);
  EXPECT_EQ(store_->ListMatches(bad_range).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::ListMatchesRequest bad_size;
  bad_size.set_page_size(ReviewStore::kMaxPageSize + 1);
  EXPECT_EQ(store_->ListMatches(bad_size).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ReviewStoreTest, PaginationIsStableUnderConcurrentInserts) {
  std::vector<v1::MatchRecord> records;
  for (int i = 0; i < 25; ++i) {
    records.push_back(Record(absl::StrCat("c", i), "tid", "e"));
  }
  const std::vector<int64_t> ids = Add(records);
  ASSERT_EQ(ids.size(), 25u);

  std::atomic<bool> stop{false};
  std::thread inserter([&] {
    for (int i = 0; !stop.load() && i < 2000; ++i) {
      store_->Enqueue(Record(absl::StrCat("late", i), "tid", "e"));
      if (i % 10 == 0) store_->Flush();
    }
  });
  v1::ListMatchesRequest request;
  request.set_page_size(10);
  request.set_bank("tid");
  // The first page fixes the listing's start; later inserts are newer.
  auto first = store_->ListMatches(request);
  ASSERT_TRUE(first.ok()) << first.status();
  const int64_t top = first->matches(0).match_id();
  std::vector<int64_t> seen;
  for (const auto& r : first->matches()) seen.push_back(r.match_id());
  std::string token = first->next_page_token();
  int pages = 1;
  while (!token.empty()) {
    request.set_page_token(token);
    auto page = store_->ListMatches(request);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& r : page->matches()) seen.push_back(r.match_id());
    token = page->next_page_token();
    ASSERT_LT(++pages, 1000);
  }
  stop = true;
  inserter.join();

  // Exactly every record at or below the first page's top (ids are
  // consecutive), each once, newest first.
  std::vector<int64_t> expected;
  for (int64_t id = top; id >= ids.front(); --id) expected.push_back(id);
  EXPECT_EQ(seen, expected);
  EXPECT_GE(seen.size(), 25u);

  // Tokens are opaque and tied to their filters.
  request.set_page_token("not a token");
  EXPECT_EQ(store_->ListMatches(request).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.set_page_token(first->next_page_token());
  request.set_bank("other");
  EXPECT_EQ(store_->ListMatches(request).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ReviewStoreTest, SecondDecisionNeedsOverrideAndBothAreKept) {
  const int64_t id = Add({Record("c1", "tid", "e1")})[0];
  auto first = Decide(id, v1::CONFIRMED);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->decisions_size(), 1);
  EXPECT_EQ(first->decisions(0).outcome(), v1::CONFIRMED);
  EXPECT_EQ(first->decisions(0).reviewer(), "alice");
  EXPECT_EQ(first->decisions(0).note(), "looked at it");

  auto again = Decide(id, v1::ESCALATED, false, "bob");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("CONFIRMED by alice"));

  auto overridden = Decide(id, v1::ESCALATED, true, "bob");
  ASSERT_TRUE(overridden.ok()) << overridden.status();
  ASSERT_EQ(overridden->decisions_size(), 2);
  EXPECT_EQ(overridden->decisions(0).outcome(), v1::CONFIRMED);
  EXPECT_EQ(overridden->decisions(1).outcome(), v1::ESCALATED);
  EXPECT_EQ(overridden->decisions(1).reviewer(), "bob");
  EXPECT_TRUE(overridden->decisions(1).override());

  v1::ListMatchesRequest escalated;
  escalated.set_outcome(v1::ESCALATED);
  EXPECT_THAT(ListContentIds(escalated), ElementsAre("c1"));
}

TEST_P(ReviewStoreTest, BadDecisionsAreRefused) {
  const int64_t id = Add({Record("c1", "tid", "e1")})[0];
  EXPECT_EQ(Decide(id + 1, v1::CONFIRMED).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Decide(id, v1::REVIEW_OUTCOME_UNSPECIFIED).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Decide(id, static_cast<v1::ReviewOutcome>(9)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Decide(id, v1::CONFIRMED, false, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::DecideRequest long_note;
  long_note.set_match_id(id);
  long_note.set_outcome(v1::CONFIRMED);
  long_note.set_reviewer("alice");
  long_note.set_note(std::string(ReviewStore::kMaxNoteBytes + 1, 'x'));
  EXPECT_EQ(store_->Decide(long_note).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Nothing was recorded by the refused calls.
  EXPECT_TRUE(store_->GetMatch(id)->decisions().empty());
}

TEST_P(ReviewStoreTest, ExportHasWhatAReportNeeds) {
  const std::vector<int64_t> ids =
      Add({Record("c1", "tid", "e1", v1::TAKEDOWN), Record("c2", "tid", "e2"),
           Record("c3", "stopncii", "e3")});
  ASSERT_TRUE(Decide(ids[0], v1::CONFIRMED).ok());
  ASSERT_TRUE(Decide(ids[1], v1::FALSE_POSITIVE).ok());
  ASSERT_TRUE(Decide(ids[2], v1::FALSE_POSITIVE).ok());
  ASSERT_TRUE(Decide(ids[2], v1::CONFIRMED, true, "bob").ok());

  auto exported = store_->ExportConfirmed({});
  ASSERT_TRUE(exported.ok()) << exported.status();
  ASSERT_EQ(exported->matches_size(), 2);
  const v1::ConfirmedMatch& c3 = exported->matches(0);
  EXPECT_EQ(c3.content_id(), "c3");
  EXPECT_EQ(c3.reviewer(), "bob");
  EXPECT_GE(c3.confirmed_unix_micros(), c3.recorded_unix_micros());
  const v1::ConfirmedMatch& c1 = exported->matches(1);
  EXPECT_EQ(c1.content_id(), "c1");
  EXPECT_EQ(c1.match_id(), ids[0]);
  EXPECT_EQ(c1.decision(), v1::TAKEDOWN);
  EXPECT_EQ(c1.context(), v1::UPLOAD);
  EXPECT_EQ(c1.snapshot_version(), 7u);
  ASSERT_EQ(c1.entries_size(), 1);
  EXPECT_EQ(c1.entries(0).bank(), "tid");
  EXPECT_EQ(c1.entries(0).entry_id(), "e1");
  EXPECT_EQ(c1.entries(0).source_feed(), "f1");
  EXPECT_EQ(c1.entries(0).category(), "ncii");
  EXPECT_EQ(c1.entries(0).hash_type(), "pdq");
}

TEST_P(ReviewStoreTest, FalsePositiveAllowlistsThePairAndSurvivesReopen) {
  const std::vector<int64_t> ids =
      Add({Record("c1", "tid", "e1"), Record("c2", "tid", "e2")});
  const std::string sha256_key = "sha256:" + std::string(kSha256);
  const std::string pdq_key = "pdq:" + std::string(kPdq);
  EXPECT_FALSE(store_->IsAllowlisted(pdq_key, "tid", "e1"));
  ASSERT_TRUE(Decide(ids[0], v1::FALSE_POSITIVE).ok());
  // A PDQ match: the PDQ hash is the key, never the record's other hashes.
  EXPECT_TRUE(store_->IsAllowlisted(pdq_key, "tid", "e1"));
  EXPECT_FALSE(store_->IsAllowlisted(sha256_key, "tid", "e1"));
  EXPECT_FALSE(store_->IsAllowlisted(pdq_key, "tid", "e2"));  // other entry
  EXPECT_FALSE(store_->IsAllowlisted("pdq:00", "tid", "e1"));
  EXPECT_FALSE(store_->IsAllowlisted("", "tid", "e1"));

  // The verdict waits in the feedback outbox.
  auto feedback = store_->PendingFeedback(absl::Now(), 10);
  ASSERT_TRUE(feedback.ok()) << feedback.status();
  ASSERT_EQ(feedback->size(), 1u);
  EXPECT_EQ((*feedback)[0].entry_id(), "e1");
  EXPECT_EQ((*feedback)[0].source_feed(), "f1");
  EXPECT_EQ((*feedback)[0].match_id(), ids[0]);
  EXPECT_EQ((*feedback)[0].verdict(), v1::FALSE_POSITIVE);
  ASSERT_TRUE(store_->MarkFeedbackSent({(*feedback)[0].id()}).ok());
  EXPECT_TRUE(store_->PendingFeedback(absl::Now(), 10)->empty());

  Open();
  EXPECT_TRUE(store_->IsAllowlisted(pdq_key, "tid", "e1"));
  auto listed = store_->ListAllowlist({});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->entries_size(), 1);
  EXPECT_EQ(listed->entries(0).content_key(), pdq_key);
  EXPECT_EQ(listed->entries(0).entry_id(), "e1");
  EXPECT_EQ(listed->entries(0).added_by(), "alice");
  EXPECT_EQ(listed->entries(0).match_id(), ids[0]);

  v1::RemoveAllowlistEntryRequest remove;
  remove.set_content_key(pdq_key);
  remove.set_bank("tid");
  remove.set_entry_id("e1");
  remove.set_reviewer("admin");
  ASSERT_TRUE(store_->RemoveAllowlistEntry(remove).ok());
  EXPECT_FALSE(store_->IsAllowlisted(pdq_key, "tid", "e1"));
  EXPECT_EQ(store_->RemoveAllowlistEntry(remove).code(),
            absl::StatusCode::kNotFound);
  remove.set_reviewer("");
  EXPECT_EQ(store_->RemoveAllowlistEntry(remove).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ReviewStoreTest, OverridingAFalsePositiveTakesItsPairsOff) {
  const std::vector<int64_t> ids = Add({Record("c1", "tid", "e1")});
  const std::string pdq_key = "pdq:" + std::string(kPdq);
  ASSERT_TRUE(Decide(ids[0], v1::FALSE_POSITIVE).ok());
  EXPECT_TRUE(store_->IsAllowlisted(pdq_key, "tid", "e1"));
  ASSERT_TRUE(Decide(ids[0], v1::CONFIRMED, true).ok());
  EXPECT_FALSE(store_->IsAllowlisted(pdq_key, "tid", "e1"));
  EXPECT_EQ(store_->ListAllowlist({})->entries_size(), 0);
}

TEST_P(ReviewStoreTest, FalsePositiveOnCallersHashesAllowlistsNothing) {
  v1::MatchRecord record = Record("c1", "tid", "e1");
  record.set_hashes_from_caller(true);
  const std::vector<int64_t> ids = Add({record});
  auto decided = Decide(ids[0], v1::FALSE_POSITIVE);
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_TRUE(decided->hashes_from_caller());  // the response says why
  ASSERT_EQ(decided->decisions_size(), 1);
  EXPECT_EQ(decided->decisions(0).outcome(), v1::FALSE_POSITIVE);
  EXPECT_FALSE(store_->IsAllowlisted("pdq:" + std::string(kPdq), "tid", "e1"));
  EXPECT_EQ(store_->ListAllowlist({})->entries_size(), 0);
  // The decision still counts: its feedback goes out.
  auto feedback = store_->PendingFeedback(absl::Now(), 10);
  ASSERT_TRUE(feedback.ok()) << feedback.status();
  EXPECT_EQ(feedback->size(), 1u);
  store_.reset();
  EXPECT_THAT(db_.Column("SELECT kind FROM audit ORDER BY seq"),
              ElementsAre("decide", "allowlist_skipped"));
  EXPECT_TRUE(db_.VerifyAudit().ok());
}

TEST_P(ReviewStoreTest, AllowlistPages) {
  std::vector<v1::MatchRecord> records;
  for (int i = 0; i < 5; ++i) {
    records.push_back(
        Record(absl::StrCat("c", i), "tid", absl::StrCat("e", i)));
  }
  for (int64_t id : Add(records)) {
    ASSERT_TRUE(Decide(id, v1::FALSE_POSITIVE).ok());
  }
  v1::ListAllowlistRequest request;
  request.set_page_size(3);
  std::set<std::string> seen;
  int pages = 0;
  do {
    auto page = store_->ListAllowlist(request);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& e : page->entries()) {
      seen.insert(e.content_key() + "/" + e.entry_id());
    }
    request.set_page_token(page->next_page_token());
    ++pages;
  } while (!request.page_token().empty());
  EXPECT_EQ(seen.size(), 5u);  // 5 entries x their PDQ key
  EXPECT_EQ(pages, 2);
}

TEST(ReviewStoreFileTest, TheFileAndItsWalAreOwnerOnlyWhateverTheUmask) {
  TempDir dir;
  SqliteReviewStore::Options options;
  options.path = dir.File("review.sqlite");
  const mode_t old = ::umask(0);
  auto store = SqliteReviewStore::Create(options);
  ::umask(old);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Enqueue(Record("c", "tid", "e")));
  (*store)->Flush();
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat st;
    const std::string file = options.path + suffix;
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 07777, 0600u) << file;
  }
}

TEST_P(ReviewStoreTest, CloseWritesEverythingQueued) {
  for (int i = 0; i < 1000; ++i) store_->Enqueue(Record("c", "tid", "e"));
  Open();  // destroys the old store without a Flush
  v1::ListMatchesRequest request;
  request.set_page_size(1000);
  auto page = store_->ListMatches(request);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->matches_size(), 1000);
  EXPECT_TRUE(page->next_page_token().empty());
}

// Waits (bounded) until `done` holds.
template <typename Predicate>
bool Eventually(Predicate done) {
  const absl::Time until = absl::Now() + absl::Seconds(60);
  while (!done()) {
    if (absl::Now() > until) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

TEST(ReviewStoreQueueTest, FullQueueRefusesAndCountsWithoutBlocking) {
  TempDir dir;
  SqliteReviewStore::Options options;
  options.path = dir.File("review.sqlite");
  options.max_queued_records = 2;
  options.max_batch = 1;
  options.retry_initial = absl::Milliseconds(5);
  options.retry_max = absl::Milliseconds(20);
  int warnings = 0;
  options.log_warning = [&](absl::string_view) { ++warnings; };
  auto store = SqliteReviewStore::Create(options);
  ASSERT_TRUE(store.ok()) << store.status();
  // Another connection holds the write lock: the writer cannot drain.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(options.path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr),
            SQLITE_OK);
  int refused = 0;
  for (int i = 0; i < 10; ++i) {
    refused += (*store)->Enqueue(Record("c", "tid", "e")) ? 0 : 1;
  }
  const ReviewStore::Stats during = (*store)->stats();
  EXPECT_EQ(refused, 8);  // 2 held (queued or being written)
  EXPECT_EQ(during.not_recorded, 8);
  EXPECT_GE(warnings, 1);
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(other);
  // The two taken are written, also if a write timed out on the lock.
  ASSERT_TRUE(Eventually([&] { return (*store)->stats().recorded == 2; }));
  EXPECT_EQ((*store)->stats().queued, 0);
}

TEST(ReviewStoreQueueTest, FullDiskKeepsRecordsAndCloseCountsTheLost) {
  TempDir dir;
  SqliteReviewStore::Options options;
  options.path = dir.File("review.sqlite");
  options.max_page_count = 40;  // 160 KiB
  options.max_batch = 4;
  options.retry_initial = absl::Milliseconds(5);
  options.retry_max = absl::Milliseconds(20);
  auto store = SqliteReviewStore::Create(options);
  ASSERT_TRUE(store.ok()) << store.status();
  v1::MatchRecord big = Record("c", "tid", "e");
  for (int i = 0; i < 100; ++i) {
    v1::VpdqFrameHash* frame = big.mutable_query_hashes()->add_vpdq();
    frame->set_hash(kPdq);
    frame->set_frame_number(i);
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE((*store)->Enqueue(big));  // ~1.5 MB: the caller never fails
  }
  ASSERT_TRUE(
      Eventually([&] { return (*store)->stats().write_failures >= 3; }));
  ReviewStore::Stats stats = (*store)->stats();
  EXPECT_GT(stats.recorded, 0);
  EXPECT_EQ(stats.recorded + stats.queued, 200) << "nothing is dropped";
  (*store)->Close();  // the disk is still full
  stats = (*store)->stats();
  EXPECT_EQ(stats.queued, 0);
  EXPECT_GT(stats.lost, 0);
  EXPECT_EQ(stats.recorded + stats.lost, 200);
}

// The disk fills (every WAL write fails, as with ENOSPC) and frees again:
// every record the store took is written; while the queue is full, new
// records are refused, and Enqueue says so.
TEST(ReviewStoreQueueTest, RecordsTakenWhileTheDiskIsFullAreWrittenLater) {
  TempDir dir;
  ::clearmatch::testing::SqliteTestVfs vfs;  // before the store
  SqliteReviewStore::Options options;
  options.path = dir.File("review.sqlite");
  options.max_queued_records = 25;
  options.max_batch = 8;
  options.retry_initial = absl::Milliseconds(5);
  options.retry_max = absl::Milliseconds(20);
  auto store = SqliteReviewStore::Create(options);
  ASSERT_TRUE(store.ok()) << store.status();
  vfs.fail_wal_writes = true;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE((*store)->Enqueue(Record(absl::StrCat("c", i), "tid", "e")));
  }
  ASSERT_TRUE(
      Eventually([&] { return (*store)->stats().write_failures >= 2; }));
  (*store)->Flush();  // returns while the store fails
  EXPECT_EQ((*store)->stats().recorded, 0);
  int refused = 0;
  for (int i = 20; i < 30; ++i) {
    refused +=
        (*store)->Enqueue(Record(absl::StrCat("c", i), "tid", "e")) ? 0 : 1;
  }
  EXPECT_EQ(refused, 5);
  EXPECT_EQ((*store)->stats().not_recorded, 5);

  vfs.fail_wal_writes = false;  // room again
  ASSERT_TRUE(Eventually([&] { return (*store)->stats().recorded == 25; }));
  v1::ListMatchesRequest request;
  request.set_page_size(100);
  auto page = (*store)->ListMatches(request);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->matches_size(), 25);
  EXPECT_EQ(page->matches(0).content_id(), "c24");  // newest first
  EXPECT_EQ(page->matches(24).content_id(), "c0");
  const ReviewStore::Stats stats = (*store)->stats();
  EXPECT_EQ(stats.lost, 0);
  EXPECT_EQ(stats.queued, 0);
  store->reset();  // closed before the VFS goes
}

TEST(ReviewStoreOpenTest, BadFilesAndOptionsAreRefused) {
  TempDir dir;
  SqliteReviewStore::Options options;
  EXPECT_EQ(SqliteReviewStore::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.path = dir.File("garbage.sqlite");
  std::ofstream(options.path) << std::string(8192, 'x');
  EXPECT_EQ(SqliteReviewStore::Create(options).status().code(),
            absl::StatusCode::kDataLoss);
  options.path = dir.File("missing-dir/review.sqlite");
  EXPECT_EQ(SqliteReviewStore::Create(options).status().code(),
            absl::StatusCode::kFailedPrecondition);
  options.path = dir.File("review.sqlite");
  options.max_batch = 0;
  EXPECT_EQ(SqliteReviewStore::Create(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A child process decides matches and acknowledges each decision on a pipe
// after Decide returned; the parent SIGKILLs it mid-stream. Every
// acknowledged decision must be in the store afterwards.
// What this proves: process-crash safety (each decision is in the file or
// the WAL when Decide returns). It does not prove power-loss safety: the
// page cache survives SIGKILL, so an unsynced WAL would pass too. That the
// WAL is fsync'ed before Decide returns is checked in
// review_store_durability_test.cc.
TEST(ReviewStoreCrashTest, AcknowledgedDecisionsSurviveSigkill) {
  TempDir dir;
  SqliteReviewStore::Options options;
  options.path = dir.File("review.sqlite");
  constexpr int kMatches = 100;
  {
    auto store = SqliteReviewStore::Create(options);
    ASSERT_TRUE(store.ok()) << store.status();
    for (int i = 0; i < kMatches; ++i) {
      (*store)->Enqueue(
          Record(absl::StrCat("c", i), "tid", absl::StrCat("e", i)));
    }
  }  // closed: every record written, ids 1..kMatches
  int ack[2];
  ASSERT_EQ(pipe(ack), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Decides until killed: each match, then overrides of each, and so on.
    close(ack[0]);
    auto store = SqliteReviewStore::Create(options);
    if (!store.ok()) _exit(3);
    for (int64_t n = 0;; ++n) {
      v1::DecideRequest request;
      request.set_match_id(n % kMatches + 1);
      request.set_outcome(n % 2 == 0 ? v1::FALSE_POSITIVE : v1::CONFIRMED);
      request.set_reviewer("child");
      request.set_override(n >= kMatches);
      if (!(*store)->Decide(request).ok()) _exit(4);
      if (write(ack[1], &n, sizeof(n)) != sizeof(n)) _exit(5);
    }
  }
  close(ack[1]);
  // Past the first round, so that overrides are in flight too.
  std::vector<int64_t> acknowledged;
  int64_t n = 0;
  while (acknowledged.size() < kMatches + 50 &&
         read(ack[0], &n, sizeof(n)) == sizeof(n)) {
    acknowledged.push_back(n);
  }
  kill(child, SIGKILL);
  // Acks already in the pipe were acknowledged before the kill.
  while (read(ack[0], &n, sizeof(n)) == sizeof(n)) acknowledged.push_back(n);
  close(ack[0]);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the child stopped on its own";
  ASSERT_GE(acknowledged.size(), static_cast<size_t>(kMatches + 50));

  auto store = SqliteReviewStore::Create(options);
  ASSERT_TRUE(store.ok()) << store.status();
  for (int64_t acked : acknowledged) {
    const int64_t id = acked % kMatches + 1;
    auto record = (*store)->GetMatch(id);
    ASSERT_TRUE(record.ok()) << record.status();
    ASSERT_GE(record->decisions_size(), acked / kMatches + 1)
        << "decision " << acked << " of match " << id << " was lost";
    EXPECT_EQ(record->decisions(0).reviewer(), "child");
  }
  // Each acknowledged decision put its verdict in the feedback outbox, and
  // only the latest of a match is still pending.
  auto counts = (*store)->CountFeedback(v1::FEEDBACK_STATE_UNSPECIFIED);
  ASSERT_TRUE(counts.ok()) << counts.status();
  int64_t rows_total = 0, pending = 0;
  for (const v1::FeedbackCount& count : *counts) {
    rows_total += count.count();
    if (count.state() == v1::FEEDBACK_PENDING) pending += count.count();
  }
  EXPECT_GE(rows_total, static_cast<int64_t>(acknowledged.size()));
  EXPECT_EQ(pending, kMatches);
  // The chain is intact up to wherever the child died.
  store->reset();
  auto rows = VerifyAuditChain(options.path);
  EXPECT_TRUE(rows.ok()) << rows.status();
  EXPECT_GE(*rows, static_cast<int64_t>(acknowledged.size()));
}

}  // namespace
}  // namespace clearmatch
