// Tests of what the reviewers' web page asks the review store, on both back
// ends (review/review_test_database.h): ListMatches' category, context and
// order filters and its counts, the audit trail by match (ListAudit) and
// the decision statistics (GetStats), and the migrations that fill the new
// columns from the stored records (SQLite schema 3 -> 4, PostgreSQL 1 -> 2).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "review/audit_chain.h"
#include "review/review_listing.h"
#include "review/review_test_database.h"

namespace clearmatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kSha256[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kPdq[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
constexpr int64_t kDay = 86400LL * 1000000;  // microseconds
// 2026-11-30 00:00:00 UTC.
constexpr int64_t kNov30 = 1796083200LL * 1000000;

v1::MatchRecord Record(const std::string& content_id, const std::string& bank,
                       const std::string& category, v1::Context context,
                       int64_t recorded_micros) {
  v1::MatchRecord record;
  record.set_content_id(content_id);
  record.set_context(context);
  record.set_decision(context == v1::RESCAN ? v1::TAKEDOWN : v1::BLOCK);
  record.set_recorded_unix_micros(recorded_micros);
  v1::Match* match = record.add_matches();
  match->set_bank(bank);
  match->set_entry_id(absl::StrCat(content_id, "-entry"));
  match->set_hash_type("pdq");
  match->set_category(category);
  match->set_distance(2);
  record.mutable_query_hashes()->set_sha256(kSha256);
  record.mutable_query_hashes()->add_pdq()->set_hash(kPdq);
  return record;
}

class ReviewReportsTest : public ::testing::TestWithParam<ReviewBackend> {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    store_.reset();
    auto store = db_.Open();
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  // Records `records` in order; returns their ids.
  std::vector<int64_t> Add(const std::vector<v1::MatchRecord>& records) {
    for (const v1::MatchRecord& record : records) store_->Enqueue(record);
    store_->Flush();
    v1::ListMatchesRequest oldest;
    oldest.set_order(v1::ListMatchesRequest::OLDEST_FIRST);
    oldest.set_page_size(1000);
    std::vector<int64_t> ids;
    auto page = store_->ListMatches(oldest);
    EXPECT_TRUE(page.ok()) << page.status();
    for (const v1::MatchRecord& r : page->matches())
      ids.push_back(r.match_id());
    return ids;
  }
  std::vector<std::string> ContentIds(const v1::ListMatchesRequest& request) {
    auto page = store_->ListMatches(request);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const auto& r : page->matches()) ids.push_back(r.content_id());
    }
    return ids;
  }
  void Decide(int64_t id, v1::ReviewOutcome outcome, bool override = false) {
    v1::DecideRequest request;
    request.set_match_id(id);
    request.set_outcome(outcome);
    request.set_reviewer("ann");
    request.set_note(absl::StrCat("note on ", id));
    request.set_override(override);
    auto decided = store_->Decide(request);
    ASSERT_TRUE(decided.ok()) << decided.status();
  }
  // Three records: tid/ncii upload, ncmec/csam rescan, tid/csam upload.
  std::vector<int64_t> AddThree() {
    return Add({Record("a", "tid", "ncii", v1::UPLOAD, 1000),
                Record("b", "ncmec", "csam", v1::RESCAN, 2000),
                Record("c", "tid", "csam", v1::UPLOAD, 3000)});
  }

  ReviewTestDatabase db_{GetParam()};
  std::unique_ptr<ReviewStore> store_;
};

TEST_P(ReviewReportsTest, CategoryAndContextFilters) {
  AddThree();
  v1::ListMatchesRequest csam;
  csam.set_category("csam");
  EXPECT_THAT(ContentIds(csam), ElementsAre("c", "b"));
  v1::ListMatchesRequest rescan;
  rescan.set_context(v1::RESCAN);
  EXPECT_THAT(ContentIds(rescan), ElementsAre("b"));
  v1::ListMatchesRequest both;
  both.set_category("csam");
  both.set_context(v1::UPLOAD);
  both.set_bank("tid");
  EXPECT_THAT(ContentIds(both), ElementsAre("c"));
  v1::ListMatchesRequest none;
  none.set_category("other");
  EXPECT_TRUE(ContentIds(none).empty());
}

TEST_P(ReviewReportsTest, OldestFirstQueuePagesAndCounts) {
  const std::vector<int64_t> ids = AddThree();
  Decide(ids[0], v1::CONFIRMED);
  Add({Record("d", "tid", "ncii", v1::UPLOAD, 4000)});

  // The queue: pending, oldest first, two per page.
  v1::ListMatchesRequest queue;
  queue.set_status(v1::ListMatchesRequest::PENDING);
  queue.set_order(v1::ListMatchesRequest::OLDEST_FIRST);
  queue.set_page_size(2);
  auto first = store_->ListMatches(queue);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->matches_size(), 2);
  EXPECT_EQ(first->matches(0).content_id(), "b");
  EXPECT_EQ(first->matches(1).content_id(), "c");
  EXPECT_EQ(first->total_count(), 3);
  EXPECT_EQ(first->pending_count(), 3);
  EXPECT_EQ(first->oldest_pending_unix_micros(), 2000);
  ASSERT_FALSE(first->next_page_token().empty());
  queue.set_page_token(first->next_page_token());
  auto second = store_->ListMatches(queue);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->matches_size(), 1);
  EXPECT_EQ(second->matches(0).content_id(), "d");
  EXPECT_TRUE(second->next_page_token().empty());

  // A token of the oldest-first listing is not one of newest first.
  queue.set_order(v1::ListMatchesRequest::NEWEST_FIRST);
  EXPECT_THAT(store_->ListMatches(queue).status().message(),
              HasSubstr("other filters"));

  // total_count follows the filters; pending_count never does.
  v1::ListMatchesRequest tid;
  tid.set_bank("tid");
  tid.set_page_size(1);
  auto tid_page = store_->ListMatches(tid);
  ASSERT_TRUE(tid_page.ok());
  EXPECT_EQ(tid_page->total_count(), 3);
  EXPECT_EQ(tid_page->pending_count(), 3);
}

TEST_P(ReviewReportsTest, NoPendingMeansNoQueueAge) {
  const std::vector<int64_t> ids =
      Add({Record("a", "tid", "ncii", v1::UPLOAD, 1000)});
  Decide(ids[0], v1::ESCALATED);
  auto page = store_->ListMatches(v1::ListMatchesRequest());
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_count(), 1);
  EXPECT_EQ(page->pending_count(), 0);
  EXPECT_EQ(page->oldest_pending_unix_micros(), 0);
}

TEST_P(ReviewReportsTest, UnknownEnumFiltersAreRefused) {
  v1::ListMatchesRequest context;
  context.set_context(static_cast<v1::Context>(9));
  EXPECT_THAT(store_->ListMatches(context).status().message(),
              HasSubstr("context: 9"));
  v1::ListMatchesRequest order;
  order.set_order(static_cast<v1::ListMatchesRequest::Order>(5));
  EXPECT_EQ(store_->ListMatches(order).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ReviewReportsTest, AuditOfOneMatchAndOfAll) {
  const std::vector<int64_t> ids = AddThree();
  Decide(ids[0], v1::FALSE_POSITIVE);  // decide + allowlist_add
  Decide(ids[1], v1::CONFIRMED);
  Decide(ids[0], v1::CONFIRMED, /*override=*/true);  // + allowlist_remove

  v1::ListAuditRequest of_a;
  of_a.set_match_id(ids[0]);
  auto audit = store_->ListAudit(of_a);
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_EQ(audit->entries_size(), 4);
  const v1::AuditEntry& decide = audit->entries(0);
  EXPECT_EQ(decide.kind(), "decide");
  EXPECT_EQ(decide.match_id(), ids[0]);
  EXPECT_EQ(decide.actor(), "ann");
  EXPECT_EQ(decide.outcome(), v1::FALSE_POSITIVE);
  EXPECT_EQ(decide.note(), absl::StrCat("note on ", ids[0]));
  EXPECT_EQ(decide.prev_hash(), kAuditGenesisHash);
  const v1::AuditEntry& add = audit->entries(1);
  EXPECT_EQ(add.kind(), "allowlist_add");
  EXPECT_EQ(add.content_key(), absl::StrCat("pdq:", kPdq));
  EXPECT_EQ(add.bank(), "tid");
  EXPECT_EQ(add.entry_id(), "a-entry");
  EXPECT_EQ(add.prev_hash(), decide.hash());
  EXPECT_EQ(audit->entries(2).kind(), "decide");
  EXPECT_EQ(audit->entries(2).outcome(), v1::CONFIRMED);
  EXPECT_EQ(audit->entries(3).kind(), "allowlist_remove");
  EXPECT_EQ(audit->entries(3).match_id(), ids[0]);

  v1::ListAuditRequest all;
  all.set_page_size(3);
  auto page = store_->ListAudit(all);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->entries_size(), 3);
  EXPECT_EQ(page->entries(2).match_id(), ids[1]);
  all.set_page_token(page->next_page_token());
  auto rest = store_->ListAudit(all);
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->entries_size(), 2);
  EXPECT_EQ(rest->entries(0).seq(), 4);
  EXPECT_TRUE(rest->next_page_token().empty());
  // A token of the whole trail is not one of a match's.
  of_a.set_page_token(page->next_page_token());
  EXPECT_EQ(store_->ListAudit(of_a).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::ListAuditRequest negative;
  negative.set_match_id(-1);
  EXPECT_EQ(store_->ListAudit(negative).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ReviewReportsTest, RemovalByHandIsInTheMatchsAudit) {
  const std::vector<int64_t> ids = AddThree();
  Decide(ids[2], v1::FALSE_POSITIVE);
  v1::RemoveAllowlistEntryRequest remove;
  remove.set_content_key(absl::StrCat("pdq:", kPdq));
  remove.set_bank("tid");
  remove.set_entry_id("c-entry");
  remove.set_reviewer("bob");
  remove.set_note("wrong call");
  ASSERT_TRUE(store_->RemoveAllowlistEntry(remove).ok());
  v1::ListAuditRequest of_c;
  of_c.set_match_id(ids[2]);
  auto audit = store_->ListAudit(of_c);
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_EQ(audit->entries_size(), 3);
  EXPECT_EQ(audit->entries(2).kind(), "allowlist_remove");
  EXPECT_EQ(audit->entries(2).actor(), "bob");
  EXPECT_EQ(audit->entries(2).note(), "wrong call");
  auto chain = db_.VerifyAudit();
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_EQ(*chain, 3);
}

TEST_P(ReviewReportsTest, StatsPerDayPerBankAndTimeToDecision) {
  // Recorded at noon on Nov 30; decided 10, 20 and 30 minutes later.
  const int64_t noon = kNov30 + kDay / 2;
  const std::vector<int64_t> ids =
      Add({Record("a", "tid", "ncii", v1::UPLOAD, noon),
           Record("b", "ncmec", "csam", v1::RESCAN, noon),
           Record("c", "tid", "csam", v1::UPLOAD, noon),
           Record("d", "tid", "csam", v1::UPLOAD, noon)});
  // Decision times come from the clock: the test only fixes recording.
  const std::string today =
      absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
  Decide(ids[0], v1::CONFIRMED);
  Decide(ids[1], v1::FALSE_POSITIVE);
  Decide(ids[2], v1::FALSE_POSITIVE);
  Decide(ids[2], v1::CONFIRMED, /*override=*/true);  // the latest counts

  auto stats = store_->GetStats(v1::GetStatsRequest());
  ASSERT_TRUE(stats.ok()) << stats.status();
  ASSERT_EQ(stats->per_day_size(), 2);  // one day (today), two outcomes
  EXPECT_EQ(stats->per_day(0).day(), stats->per_day(1).day());
  // The UTC day, as "YYYY-MM-DD" (or the next one, past midnight).
  EXPECT_THAT(stats->per_day(0).day(),
              ::testing::AnyOf(today, absl::FormatTime("%Y-%m-%d", absl::Now(),
                                                       absl::UTCTimeZone())));
  EXPECT_EQ(stats->per_day(0).outcome(), v1::CONFIRMED);
  EXPECT_EQ(stats->per_day(0).count(), 2);
  EXPECT_EQ(stats->per_day(1).outcome(), v1::FALSE_POSITIVE);
  EXPECT_EQ(stats->per_day(1).count(), 1);
  ASSERT_EQ(stats->per_bank_size(), 2);
  EXPECT_EQ(stats->per_bank(0).bank(), "ncmec");
  EXPECT_EQ(stats->per_bank(0).outcome(), v1::FALSE_POSITIVE);
  EXPECT_EQ(stats->per_bank(1).bank(), "tid");
  EXPECT_EQ(stats->per_bank(1).outcome(), v1::CONFIRMED);
  EXPECT_EQ(stats->per_bank(1).count(), 2);
  EXPECT_EQ(stats->decided_count(), 3);
  EXPECT_GT(stats->median_seconds_to_decision(), 0);
  EXPECT_GE(stats->p90_seconds_to_decision(),
            stats->median_seconds_to_decision());
  EXPECT_EQ(stats->pending_count(), 1);
  EXPECT_EQ(stats->oldest_pending_unix_micros(), noon);

  // A range that ends before any decision.
  v1::GetStatsRequest before;
  before.set_end_unix_micros(noon);
  auto empty = store_->GetStats(before);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->per_day_size(), 0);
  EXPECT_EQ(empty->decided_count(), 0);
  EXPECT_EQ(empty->pending_count(), 1);
  v1::GetStatsRequest bad;
  bad.set_start_unix_micros(5);
  bad.set_end_unix_micros(5);
  EXPECT_EQ(store_->GetStats(bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ReviewReportsPercentileTest, InterpolatesBetweenRanks) {
  using review_internal::Percentile;
  EXPECT_EQ(Percentile({}, 0.5), 0);
  EXPECT_EQ(Percentile({7}, 0.9), 7);
  EXPECT_DOUBLE_EQ(Percentile({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(
      Percentile({0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 0.9), 90);
}

TEST(ReviewReportsAuditMatchIdTest, ReadFromTheContent) {
  using review_internal::AuditContentMatchId;
  EXPECT_EQ(AuditContentMatchId("decide",
                                DecisionAuditContent(42, 1, "ann", "", false)),
            42);
  EXPECT_EQ(AuditContentMatchId(
                "allowlist_add",
                CanonicalFields({"pdq:ab", "tid", "e", "ann", "match 17"})),
            17);
  EXPECT_EQ(AuditContentMatchId("allowlist_remove",
                                CanonicalFields({"pdq:ab", "tid", "e", "ann",
                                                 "override of match 9"})),
            9);
  EXPECT_EQ(AuditContentMatchId("allowlist_skipped",
                                CanonicalFields({"", "", "", "ann",
                                                 "match 5: hashes from the "
                                                 "caller"})),
            5);
  EXPECT_EQ(
      AuditContentMatchId("allowlist_remove",
                          CanonicalFields({"k", "b", "e", "ann", "by hand"})),
      0);
  EXPECT_EQ(AuditContentMatchId("decide", "not canonical"), 0);
}

TEST(ReviewReportsCanonicalTest, ParseIsTheInverseOfEncode) {
  const std::vector<std::string> fields = {"", "a;b:c", "12", "x"};
  EXPECT_EQ(ParseCanonicalFields(CanonicalFields(fields)), fields);
  EXPECT_FALSE(ParseCanonicalFields("3:ab;").has_value());
  EXPECT_FALSE(ParseCanonicalFields("2:ab").has_value());
  EXPECT_FALSE(ParseCanonicalFields("x:ab;").has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, ReviewReportsTest, kReviewBackends,
                         ReviewBackendName);

// What the migrations must bring back: a store of the older version (its
// new columns and tables dropped again) opened by this binary.
class ReviewReportsMigrationTest : public ReviewReportsTest {
 protected:
  // Back to what a database of the previous version has (SQLite schema 3,
  // PostgreSQL schema 1).
  void Downgrade() {
    store_.reset();
    const bool sqlite = GetParam() == ReviewBackend::kSqlite;
    ASSERT_TRUE(
        db_
            .Exec(absl::StrCat(
                "DROP INDEX matches_by_outcome; DROP TABLE "
                "match_categories; DROP TABLE audit_matches; ALTER TABLE "
                "matches DROP COLUMN context; ",
                sqlite ? "UPDATE meta SET value = '3' WHERE key = "
                         "'schema_version';"
                       : "DELETE FROM schema_migrations WHERE version = 2;"))
            .ok());
  }
  std::string Version() {
    const std::vector<std::string> version =
        db_.Column(GetParam() == ReviewBackend::kSqlite
                       ? "SELECT value FROM meta"
                       : "SELECT MAX(version) FROM schema_migrations");
    return version.empty() ? "" : version[0];
  }
};

TEST_P(ReviewReportsMigrationTest, OlderDatabaseIsMigratedAndKeepsItsRows) {
  const std::vector<int64_t> ids = AddThree();
  Decide(ids[1], v1::FALSE_POSITIVE);
  Decide(ids[2], v1::ESCALATED);
  Downgrade();
  Open();
  EXPECT_EQ(Version(), GetParam() == ReviewBackend::kSqlite ? "4" : "2");
  // Every match, decision and audit row is still there, and indexed.
  EXPECT_EQ(Add({}), ids);
  auto b = store_->GetMatch(ids[1]);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->decisions_size(), 1);
  EXPECT_EQ(b->decisions(0).outcome(), v1::FALSE_POSITIVE);
  v1::ListMatchesRequest rescan;
  rescan.set_context(v1::RESCAN);
  rescan.set_category("csam");
  EXPECT_THAT(ContentIds(rescan), ElementsAre("b"));
  v1::ListMatchesRequest ncii;
  ncii.set_category("ncii");
  EXPECT_THAT(ContentIds(ncii), ElementsAre("a"));
  v1::ListAuditRequest of_b;
  of_b.set_match_id(ids[1]);
  auto audit = store_->ListAudit(of_b);
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_EQ(audit->entries_size(), 2);
  EXPECT_EQ(audit->entries(1).kind(), "allowlist_add");
  v1::ListAuditRequest of_c;
  of_c.set_match_id(ids[2]);
  auto audit_c = store_->ListAudit(of_c);
  ASSERT_TRUE(audit_c.ok()) << audit_c.status();
  ASSERT_EQ(audit_c->entries_size(), 1);
  EXPECT_EQ(audit_c->entries(0).outcome(), v1::ESCALATED);
  auto chain = db_.VerifyAudit();
  ASSERT_TRUE(chain.ok()) << chain.status();
  EXPECT_EQ(*chain, 3);
  // And the new version records what it added, as a new database does.
  Add({Record("d", "ncmec", "ncii", v1::RESCAN, 4000)});
  EXPECT_THAT(ContentIds(rescan), ElementsAre("b"));
  ncii.set_context(v1::RESCAN);
  EXPECT_THAT(ContentIds(ncii), ElementsAre("d"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ReviewReportsMigrationTest, kReviewBackends,
                         ReviewBackendName);

}  // namespace
}  // namespace clearmatch
