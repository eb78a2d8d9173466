// Tests of what the PostgreSQL review store adds to the shared suite (which
// runs on both back ends): several replicas on one database (allowlist
// changes by NOTIFY, or by the fallback poll when one is lost; decisions on one
// match serialised; one audit chain), versioned migrations, and a database
// that goes away: records wait and are written once it is back, Decide
// fails UNAVAILABLE, the allowlist keeps answering.
#include "review/postgres_review_store.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postgres/postgres_connection.h"
#include "review/audit_chain.h"
#include "review/postgres_audit_chain.h"
#include "review/postgres_review_schema.h"
#include "review/review_store_factory.h"
#include "testing/postgres_server.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::PostgresServer;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPdq[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const std::string kPdqKey = std::string("pdq:") + kPdq;

v1::MatchRecord Record(const std::string& content_id,
                       const std::string& entry_id) {
  v1::MatchRecord record;
  record.set_content_id(content_id);
  record.set_decision(v1::BLOCK);
  v1::Match* match = record.add_matches();
  match->set_bank("tid");
  match->set_entry_id(entry_id);
  match->set_hash_type("pdq");
  match->set_transform("original");
  record.mutable_query_hashes()->add_pdq()->set_hash(kPdq);
  return record;
}

std::unique_ptr<PostgresReviewStore> OpenStore(
    const std::string& url, absl::Duration poll = absl::Seconds(5)) {
  PostgresReviewStore::Options options;
  options.connection.url = url;
  options.allowlist_poll_interval = poll;
  options.retry_initial = absl::Milliseconds(20);
  options.retry_max = absl::Milliseconds(100);
  auto store = PostgresReviewStore::Create(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

v1::DecideRequest Decision(int64_t id, v1::ReviewOutcome outcome) {
  v1::DecideRequest request;
  request.set_match_id(id);
  request.set_outcome(outcome);
  request.set_reviewer("bob");
  return request;
}

// Waits up to `limit` for `condition`; true if it held in time.
template <typename Condition>
bool Within(absl::Duration limit, Condition condition) {
  const absl::Time deadline = absl::Now() + limit;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

std::string NewDatabase() {
  absl::StatusOr<std::string> url = PostgresServer::Shared().CreateDatabase();
  EXPECT_TRUE(url.ok()) << url.status();
  return url.ok() ? *url : "";
}

// By the notification alone: the fallback poll is an hour away. The bound
// only leaves room for a loaded machine.
TEST(PostgresReplicasTest, OneReplicasFalsePositiveReachesTheOtherByNotify) {
  const std::string url = NewDatabase();
  auto a = OpenStore(url, absl::Hours(1));
  auto b = OpenStore(url, absl::Hours(1));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  a->Enqueue(Record("c1", "e1"));
  a->Flush();
  auto listed = b->ListMatches({});  // recorded by A, listed by B
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->matches_size(), 1);
  const int64_t id = listed->matches(0).match_id();
  ASSERT_TRUE(b->Decide(Decision(id, v1::FALSE_POSITIVE)).ok());
  EXPECT_TRUE(b->IsAllowlisted(kPdqKey, "tid", "e1"));  // at once on B
  EXPECT_TRUE(Within(absl::Seconds(4),
                     [&] { return a->IsAllowlisted(kPdqKey, "tid", "e1"); }));
  // And back: B's override takes it off A's allowlist.
  v1::DecideRequest override = Decision(id, v1::CONFIRMED);
  override.set_override(true);
  ASSERT_TRUE(b->Decide(override).ok());
  EXPECT_TRUE(Within(absl::Seconds(4),
                     [&] { return !a->IsAllowlisted(kPdqKey, "tid", "e1"); }));
}

TEST(PostgresReplicasTest, TheFallbackPollCatchesAChangeWithoutNotify) {
  const std::string url = NewDatabase();
  auto a = OpenStore(url, absl::Milliseconds(100));
  ASSERT_NE(a, nullptr);
  PostgresConnection::Options options;
  options.url = url;
  auto db = PostgresConnection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  // A change whose notification was lost: only the version says so.
  ASSERT_TRUE(db->Exec("INSERT INTO allowlist (content_key, bank, entry_id, "
                       "match_id, added_by, added_at) VALUES ('pdq:ab', "
                       "'tid', 'e9', 1, 'x', 1); UPDATE allowlist_version "
                       "SET version = version + 1")
                  .ok());
  EXPECT_TRUE(Within(absl::Seconds(2),
                     [&] { return a->IsAllowlisted("pdq:ab", "tid", "e9"); }));
}

TEST(PostgresReplicasTest, RacingDecisionsOnOneMatchLetOneWin) {
  const std::string url = NewDatabase();
  auto a = OpenStore(url);
  auto b = OpenStore(url);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  for (int i = 0; i < 10; ++i) a->Enqueue(Record("c" + std::to_string(i), "e"));
  a->Flush();
  auto listed = a->ListMatches({});
  ASSERT_TRUE(listed.ok()) << listed.status();
  for (const v1::MatchRecord& match : listed->matches()) {
    std::atomic<int> won{0};
    std::thread other([&] {
      if (b->Decide(Decision(match.match_id(), v1::CONFIRMED)).ok()) ++won;
    });
    if (a->Decide(Decision(match.match_id(), v1::ESCALATED)).ok()) ++won;
    other.join();
    EXPECT_EQ(won.load(), 1) << "match " << match.match_id();
  }
  PostgresConnection::Options options;
  options.url = url;
  auto rows = VerifyPostgresAuditChain(options);  // one chain, no fork
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, 10);
}

TEST(PostgresMigrationsTest, AppliedOnceAndANewerDatabaseIsRefused) {
  const std::string url = NewDatabase();
  ASSERT_NE(OpenStore(url), nullptr);
  ASSERT_NE(OpenStore(url), nullptr);  // nothing left to apply
  PostgresConnection::Options options;
  options.url = url;
  auto db = PostgresConnection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  auto versions =
      db->Query("SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(versions.ok()) << versions.status();
  ASSERT_EQ(versions->rows(), 2);
  EXPECT_EQ(versions->Int(0, 0), 1);
  EXPECT_EQ(versions->Int(1, 0), 2);
  ASSERT_TRUE(
      db->Exec("INSERT INTO schema_migrations VALUES (99, 'future', 0)").ok());
  PostgresReviewStore::Options store;
  store.connection.url = url;
  auto refused = PostgresReviewStore::Create(store);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("schema version 99"));
}

TEST(PostgresMigrationsTest, SchemaOneRowsAreIndexedBySchemaTwo) {
  const std::string url = NewDatabase();
  PostgresConnection::Options options;
  options.url = url;
  auto db = PostgresConnection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(review_internal::ApplyMigrations(*db, 1).ok());
  // A match and its decision as a schema-1 clearmatchd wrote them.
  v1::MatchRecord record = Record("old", "e1");
  record.set_context(v1::RESCAN);
  record.mutable_matches(0)->set_category("csam");
  ASSERT_TRUE(db->Query("INSERT INTO matches (recorded_at, verdict, record) "
                        "VALUES (5, 1, $1::bytea)",
                        {PostgresParam::Bytes(record.SerializeAsString())})
                  .ok());
  const std::string content =
      DecisionAuditContent(1, v1::CONFIRMED, "bob", "", false);
  ASSERT_TRUE(
      db->Query("INSERT INTO audit VALUES (1, 7, 'decide', $1::bytea, $2, $3)",
                {PostgresParam::Bytes(content), kAuditGenesisHash,
                 AuditRowHash(kAuditGenesisHash, 1, 7, "decide", content)})
          .ok());
  ASSERT_TRUE(db->Exec("INSERT INTO decisions (match_id, outcome, reviewer, "
                       "note, override, decided_at, audit_seq) VALUES (1, 1, "
                       "'bob', '', 0, 7, 1); UPDATE matches SET outcome = 1")
                  .ok());

  auto store = OpenStore(url);
  ASSERT_NE(store, nullptr);
  v1::ListMatchesRequest filtered;
  filtered.set_category("csam");
  filtered.set_context(v1::RESCAN);
  auto listed = store->ListMatches(filtered);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->matches_size(), 1);
  EXPECT_EQ(listed->matches(0).content_id(), "old");
  ASSERT_EQ(listed->matches(0).decisions_size(), 1);
  EXPECT_EQ(listed->matches(0).decisions(0).outcome(), v1::CONFIRMED);
  v1::ListAuditRequest audit;
  audit.set_match_id(1);
  auto trail = store->ListAudit(audit);
  ASSERT_TRUE(trail.ok()) << trail.status();
  ASSERT_EQ(trail->entries_size(), 1);
  EXPECT_EQ(trail->entries(0).actor(), "bob");
  auto rows = VerifyPostgresAuditChain(options);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, 1);
}

TEST(PostgresOutageTest, RecordsWaitDecideFailsAndNothingIsLost) {
  auto server = PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  auto url = (*server)->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status();
  auto store = OpenStore(*url);
  ASSERT_NE(store, nullptr);
  store->Enqueue(Record("before", "e1"));
  store->Flush();
  auto listed = store->ListMatches({});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_TRUE(
      store->Decide(Decision(listed->matches(0).match_id(), v1::FALSE_POSITIVE))
          .ok());

  ASSERT_TRUE((*server)->Kill().ok());
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(store->Enqueue(Record("during" + std::to_string(i), "e2")));
  }
  EXPECT_TRUE(Within(absl::Seconds(5),
                     [&] { return store->stats().write_failures > 0; }));
  EXPECT_EQ(store->stats().queued, 5);
  EXPECT_TRUE(store->IsAllowlisted(kPdqKey, "tid", "e1"));  // from memory
  auto decided =
      store->Decide(Decision(listed->matches(0).match_id(), v1::CONFIRMED));
  EXPECT_EQ(decided.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(decided.status().message(), HasSubstr("unavailable"));
  EXPECT_EQ(store->ListMatches({}).status().code(),
            absl::StatusCode::kUnavailable);

  ASSERT_TRUE((*server)->Restart().ok());
  store->Flush();
  EXPECT_TRUE(
      Within(absl::Seconds(5), [&] { return store->stats().queued == 0; }));
  listed = store->ListMatches({});
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->matches_size(), 6);
  EXPECT_EQ(store->stats().lost, 0);
  EXPECT_EQ(store->stats().recorded, 6);
  PostgresConnection::Options options;
  options.url = *url;
  EXPECT_TRUE(VerifyPostgresAuditChain(options).ok());
}

TEST(ReviewStoreFactoryTest, ChoosesTheBackEndAndRedactsBadUrls) {
  ::clearmatch::testing::TempDir dir;
  ReviewStoreOptions options;
  options.data_dir = dir.path();
  auto sqlite = OpenReviewStore(options);
  ASSERT_TRUE(sqlite.ok()) << sqlite.status();
  options.database_url = "mysql://alice:s3cret@db/review";
  auto refused = OpenReviewStore(options);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), Not(HasSubstr("s3cret")));
  options.database_url = "postgresql://alice:s3cret@/review?host=/nonexistent";
  auto unreachable = OpenReviewStore(options);
  EXPECT_EQ(unreachable.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(unreachable.status().message(), Not(HasSubstr("s3cret")));
  options.database_url = NewDatabase();
  auto postgres = OpenReviewStore(options);
  ASSERT_TRUE(postgres.ok()) << postgres.status();
  EXPECT_NE(dynamic_cast<PostgresReviewStore*>(postgres->get()), nullptr);
}

}  // namespace
}  // namespace clearmatch
