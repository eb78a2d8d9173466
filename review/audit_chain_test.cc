// Tests of the audit chain: known SHA-256 answers, a clean chain verifies,
// and edits, deletions and rehashed edits made beside the store (SQLite
// and PostgreSQL) are detected and name the first bad row.
#include "review/audit_chain.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hashing/file_digests.h"
#include "review/review_test_database.h"

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

class AuditChainStoreTest : public ::testing::TestWithParam<ReviewBackend> {
 protected:
  void SetUp() override {
    auto store = db_.Open();
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
  // Runs SQL on the closed store, as a tamperer with the database would.
  void Tamper(const std::string& sql) {
    const absl::Status status = db_.Exec(sql);
    EXPECT_TRUE(status.ok()) << status;
  }
  bool postgres() const { return db_.backend() == ReviewBackend::kPostgres; }

  const ReviewTestDatabase db_{GetParam()};
};

INSTANTIATE_TEST_SUITE_P(Backends, AuditChainStoreTest, kReviewBackends,
                         ReviewBackendName);

TEST_P(AuditChainStoreTest, CleanChainVerifies) {
  auto rows = db_.VerifyAudit();
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, 4);
}

TEST_P(AuditChainStoreTest, TheStoreRefusesEdits) {
  for (const char* edit :
       {"UPDATE audit SET kind = 'x' WHERE seq = 1", "DELETE FROM audit",
        "UPDATE decisions SET note = 'x'", "DELETE FROM decisions"}) {
    const absl::Status status = db_.Exec(edit);
    EXPECT_FALSE(status.ok()) << edit;
    EXPECT_THAT(status.message(), HasSubstr("append-only")) << edit;
  }
  EXPECT_TRUE(db_.VerifyAudit().ok());
}

TEST_P(AuditChainStoreTest, EditedAuditRowIsNamed) {
  Tamper(db_.DropAppendOnlyGuard("audit") +
         (postgres() ? "UPDATE audit SET content = convert_to(replace("
                       "convert_from(content, 'UTF8'), 'note 2', 'note X'), "
                       "'UTF8') WHERE seq = 2;"
                     : "UPDATE audit SET content = replace(content, 'note 2', "
                       "'note X') WHERE seq = 2;"));
  auto rows = db_.VerifyAudit();
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(rows.status().message(), HasSubstr("audit row 2 (decide)"));
}

TEST_P(AuditChainStoreTest, RehashedEditBreaksTheNextLink) {
  // The tamperer knows the algorithm and gives the edited row 2 a valid
  // hash: row 3 no longer links to it.
  const std::vector<std::string> prev =
      db_.Column("SELECT prev_hash FROM audit WHERE seq = 2");
  const std::vector<std::string> at =
      db_.Column("SELECT at FROM audit WHERE seq = 2");
  const std::vector<std::string> kind =
      db_.Column("SELECT kind FROM audit WHERE seq = 2");
  ASSERT_EQ(prev.size(), 1u);
  ASSERT_EQ(at.size(), 1u);
  ASSERT_EQ(kind.size(), 1u);
  const std::string content = "forged";
  Tamper(db_.DropAppendOnlyGuard("audit") + "UPDATE audit SET content = '" +
         content + "', hash = '" +
         AuditRowHash(prev[0], 2, std::stoll(at[0]), kind[0], content) +
         "' WHERE seq = 2;");
  auto rows = db_.VerifyAudit();
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(rows.status().message(), HasSubstr("audit row 3: prev_hash"));
}

TEST_P(AuditChainStoreTest, EditedDecisionRowIsNamed) {
  Tamper(db_.DropAppendOnlyGuard("decisions") +
         "UPDATE decisions SET outcome = 2 WHERE match_id = 3;");
  auto rows = db_.VerifyAudit();
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(rows.status().message(), HasSubstr("decision row 3"));
}

TEST_P(AuditChainStoreTest, DeletedRowIsNamed) {
  Tamper(db_.DropAppendOnlyGuard("audit") + "DELETE FROM audit WHERE seq = 3;");
  auto rows = db_.VerifyAudit();
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(rows.status().message(), HasSubstr("audit row 3 is missing"));
}

TEST(AuditChainFileTest, MissingOrForeignFile) {
  EXPECT_EQ(VerifyAuditChain("/nonexistent/review.sqlite").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace clearmatch
