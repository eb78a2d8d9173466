// Durability of ReviewStore's synchronous writes (review_store.h: decisions
// and allowlist changes are durable, synchronous=FULL, when the call
// returns). The SIGKILL test in review_store_test.cc shows only that they
// survive a crash of the process: the kernel's page cache survives SIGKILL,
// so an unsynced WAL passes it too. Here a counting VFS shows that the WAL
// is fsync'ed before each call returns, which is what survives power loss.
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "review/sqlite_review_store.h"
#include "testing/sqlite_test_vfs.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::SqliteTestVfs;
using ::clearmatch::testing::TempDir;

v1::MatchRecord Verdict() {
  v1::MatchRecord record;
  record.set_content_id("c1");
  record.set_decision(v1::BLOCK);
  v1::Match* match = record.add_matches();
  match->set_bank("tid");
  match->set_entry_id("e1");
  match->set_hash_type("sha256");  // an exact match of the file's digest
  match->set_source_feed("f1");
  record.mutable_query_hashes()->set_sha256(std::string(64, 'a'));
  return record;
}

v1::DecideRequest Decision(int64_t id, v1::ReviewOutcome outcome) {
  v1::DecideRequest request;
  request.set_match_id(id);
  request.set_outcome(outcome);
  request.set_reviewer("alice");
  request.set_override(true);
  return request;
}

// The premise of the test below: in WAL mode, synchronous=NORMAL commits
// without syncing the WAL and FULL syncs it on every commit, and the VFS
// sees the difference.
TEST(ReviewStoreDurabilityTest, OnlySynchronousFullSyncsTheWalOnCommit) {
  TempDir dir;
  SqliteTestVfs vfs;
  for (const char* level : {"NORMAL", "FULL"}) {
    SCOPED_TRACE(level);
    sqlite3* raw = nullptr;
    const int opened = sqlite3_open(dir.File(level).c_str(), &raw);
    // Closed before the VFS goes, whatever fails.
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> closer(raw, &sqlite3_close);
    ASSERT_EQ(opened, SQLITE_OK);
    sqlite3* const db = raw;
    const std::string setup =
        std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=") + level +
        "; CREATE TABLE t (x);";
    ASSERT_EQ(sqlite3_exec(db, setup.c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK);
    vfs.ResetCounts();
    ASSERT_EQ(
        sqlite3_exec(db, "INSERT INTO t VALUES (1)", nullptr, nullptr, nullptr),
        SQLITE_OK);
    EXPECT_EQ(vfs.wal_syncs(), std::string(level) == "FULL" ? 1 : 0);
  }
}

TEST(ReviewStoreDurabilityTest, EveryDecisionSyncsTheWalBeforeReturning) {
  TempDir dir;
  SqliteTestVfs vfs;  // before the store, which then opens through it
  SqliteReviewStore::Options options;
  options.path = dir.File("review.sqlite");
  auto store = SqliteReviewStore::Create(options);
  ASSERT_TRUE(store.ok()) << store.status();
  (*store)->Enqueue(Verdict());
  (*store)->Flush();  // the writer is idle from here on: syncs are ours
  auto listed = (*store)->ListMatches({});
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->matches_size(), 1);
  const int64_t id = listed->matches(0).match_id();

  for (v1::ReviewOutcome outcome :
       {v1::CONFIRMED, v1::FALSE_POSITIVE, v1::ESCALATED}) {
    SCOPED_TRACE(v1::ReviewOutcome_Name(outcome));
    vfs.ResetCounts();
    auto decided = (*store)->Decide(Decision(id, outcome));
    ASSERT_TRUE(decided.ok()) << decided.status();
    EXPECT_GE(vfs.wal_syncs(), 1)
        << "Decide returned before its commit was fsync'ed";
    if (outcome != v1::FALSE_POSITIVE) continue;
    // The FALSE_POSITIVE allowlisted the pair: removing it is durable too.
    v1::RemoveAllowlistEntryRequest remove;
    remove.set_content_key("sha256:" + std::string(64, 'a'));
    remove.set_bank("tid");
    remove.set_entry_id("e1");
    remove.set_reviewer("admin");
    vfs.ResetCounts();
    ASSERT_TRUE((*store)->RemoveAllowlistEntry(remove).ok());
    EXPECT_GE(vfs.wal_syncs(), 1)
        << "RemoveAllowlistEntry returned before its commit was fsync'ed";
  }
  store->reset();  // closed before the VFS goes
}

}  // namespace
}  // namespace clearmatch
