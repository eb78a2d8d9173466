// Tests of the audit chain: known SHA-256 answers, a clean chain verifies,
// and edits, deletions and rehashed edits made with the SQLite API are
// detected and name the first bad row.
#include "review/audit_chain.h"

#include <sqlite3.h>

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hashing/file_digests.h"
#include "review/sqlite_review_store.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

TEST(AuditChainTest, KnownAnswers) {
  // FIPS 180-2 test vector.
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(CanonicalFields({"a", "", "bc:;"}), "1:a;0:;4:bc:;;");
  // Fields cannot run into each other.
  EXPECT_NE(CanonicalFields({"ab", "c"}), CanonicalFields({"a", "bc"}));
  EXPECT_EQ(AuditRowHash(kAuditGenesisHash, 1, 5, "k", "c"),
            Sha256Hex(std::string(kAuditGenesisHash) + "1:1;1:5;1:k;1:c;"));
}

class AuditChainStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteReviewStore::Options options;
    options.path = path_;
    auto store = SqliteReviewStore::Create(options);
    ASSERT_TRUE(store.ok()) << store.status();
    for (const char* content : {"c1", "c2", "c3"}) {
      v1::MatchRecord record;
      record.set_content_id(content);
      record.set_decision(v1::BLOCK);
      record.mutable_query_hashes()->set_sha256(std::string(64, 'a'));
      v1::Match* match = record.add_matches();
      match->set_bank("tid");
      match->set_entry_id(content);
      match->set_hash_type("sha256");
      (*store)->Enqueue(record);
    }
    (*store)->Flush();
    // Rows: 1 decide(1), 2 decide(2), 3 allowlist_add, 4 decide(3).
    for (int64_t id = 1; id <= 3; ++id) {
      v1::DecideRequest request;
      request.set_match_id(id);
      request.set_outcome(id == 2 ? v1::FALSE_POSITIVE : v1::CONFIRMED);
      request.set_reviewer("alice");
      request.set_note("note " + std::to_string(id));
      ASSERT_TRUE((*store)->Decide(request).ok());
    }
  }
  // Runs SQL on the closed store file, as a tamperer with the file would.
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  const ::clearmatch::testing::TempDir dir_{"clearmatch-audit-test"};
  const std::string path_ = dir_.File("review.sqlite");
};

TEST_F(AuditChainStoreTest, CleanChainVerifies) {
  auto rows = VerifyAuditChain(path_);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, 4);
}

TEST_F(AuditChainStoreTest, TheStoreRefusesEdits) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE audit SET kind = 'x' WHERE seq = 1",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_NE(
      sqlite3_exec(db, "DELETE FROM decisions", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  EXPECT_TRUE(VerifyAuditChain(path_).ok());
}

TEST_F(AuditChainStoreTest, EditedAuditRowIsNamed) {
  Tamper(
      "DROP TRIGGER audit_no_update;"
      "UPDATE audit SET content = replace(content, 'note 2', 'note X') "
      "WHERE seq = 2;");
  auto rows = VerifyAuditChain(path_);
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(rows.status().message(), HasSubstr("audit row 2 (decide)"));
}

TEST_F(AuditChainStoreTest, RehashedEditBreaksTheNextLink) {
  // The tamperer knows the algorithm and gives the edited row 2 a valid
  // hash: row 3 no longer links to it.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* row = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT prev_hash, at, kind FROM audit "
                               "WHERE seq = 2",
                               -1, &row, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(row), SQLITE_ROW);
  const std::string prev =
      reinterpret_cast<const char*>(sqlite3_column_text(row, 0));
  const int64_t at = sqlite3_column_int64(row, 1);
  const std::string kind =
      reinterpret_cast<const char*>(sqlite3_column_text(row, 2));
  sqlite3_finalize(row);
  sqlite3_close(db);
  const std::string content = "forged";
  Tamper("DROP TRIGGER audit_no_update; UPDATE audit SET content = '" +
         content + "', hash = '" + AuditRowHash(prev, 2, at, kind, content) +
         "' WHERE seq = 2;");
  auto rows = VerifyAuditChain(path_);
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(rows.status().message(), HasSubstr("audit row 3: prev_hash"));
}

TEST_F(AuditChainStoreTest, EditedDecisionRowIsNamed) {
  Tamper(
      "DROP TRIGGER decisions_no_update;"
      "UPDATE decisions SET outcome = 2 WHERE match_id = 3;");
  auto rows = VerifyAuditChain(path_);
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(rows.status().message(), HasSubstr("decision row 3"));
}

TEST_F(AuditChainStoreTest, DeletedRowIsNamed) {
  Tamper("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 3;");
  auto rows = VerifyAuditChain(path_);
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(rows.status().message(), HasSubstr("audit row 3 is missing"));
}

TEST(AuditChainFileTest, MissingOrForeignFile) {
  EXPECT_EQ(VerifyAuditChain("/nonexistent/review.sqlite").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace clearmatch
