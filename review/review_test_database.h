// ReviewTestDatabase: one test's review database on either back end, so
// that the review store's test suite runs against SQLite (a file in a
// TempDir) and PostgreSQL (a fresh database on the test binary's
// throwaway server, testing/postgres_server.h) alike.
//
//   class FooTest : public ::testing::TestWithParam<ReviewBackend> {
//     ReviewTestDatabase db_{GetParam()};
//   };
//   auto store = db_.Open();
//   EXPECT_THAT(db_.Column("SELECT kind FROM audit ORDER BY seq"), ...);
//   INSTANTIATE_TEST_SUITE_P(Backends, FooTest, kReviewBackends,
//                            ReviewBackendName);
//
// Test-only. Thread-compatible.
#ifndef CLEARMATCH_REVIEW_REVIEW_TEST_DATABASE_H_
#define CLEARMATCH_REVIEW_REVIEW_TEST_DATABASE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "review/review_store.h"
#include "testing/temp_dir.h"

namespace clearmatch {

enum class ReviewBackend { kSqlite, kPostgres };

inline const auto kReviewBackends =
    ::testing::Values(ReviewBackend::kSqlite, ReviewBackend::kPostgres);
std::string ReviewBackendName(
    const ::testing::TestParamInfo<ReviewBackend>& info);

class ReviewTestDatabase {
 public:
  // PostgreSQL: creates the database (the test fails if it cannot).
  explicit ReviewTestDatabase(ReviewBackend backend);

  ReviewBackend backend() const { return backend_; }
  // The file's path or the database's URL.
  const std::string& location() const { return location_; }
  // A store on the database with default options.
  absl::StatusOr<std::unique_ptr<ReviewStore>> Open() const;
  // VerifyAuditChain / VerifyPostgresAuditChain.
  absl::StatusOr<int64_t> VerifyAudit() const;
  // Runs `sql` on a connection of its own, as a tamperer with the
  // database would.
  absl::Status Exec(const std::string& sql) const;
  // The first column of the rows of `sql`, as text (empty on an error,
  // which fails the test).
  std::vector<std::string> Column(const std::string& sql) const;
  // The statement that lets `table` (audit or decisions) be updated and
  // deleted from despite its append-only guard.
  std::string DropAppendOnlyGuard(const std::string& table) const;

 private:
  const ReviewBackend backend_;
  ::clearmatch::testing::TempDir dir_{"clearmatch-review-test"};
  std::string location_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_REVIEW_TEST_DATABASE_H_
