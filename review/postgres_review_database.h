// PostgresReviewDatabase: the ReviewDatabase (review/review_database.h) of
// the PostgreSQL review store, on its connection: for the listings and
// reports of the reviewers' web page (review/review_listing.h), the
// feedback outbox (review/feedback_outbox.h) and the allowlist's table
// (review/allowlist_table.h): the same SQL as SQLite's in PostgreSQL's
// dialect, and the same answers.
//
//   absl::MutexLock lock(&db_mu_);
//   PostgresReviewDatabase database(db_);
//   return review_internal::ListAuditPage(database, request);
//
// Borrows the connection (the caller holds its lock); thread-compatible.
#ifndef CLEARMATCH_REVIEW_POSTGRES_REVIEW_DATABASE_H_
#define CLEARMATCH_REVIEW_POSTGRES_REVIEW_DATABASE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.pb.h"
#include "postgres/postgres_connection.h"
#include "review/review_database.h"

namespace clearmatch::review_internal {

class PostgresReviewDatabase final : public ReviewDatabase {
 public:
  explicit PostgresReviewDatabase(PostgresConnection& db) : db_(db) {}

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }
  absl::Status ForEachRow(
      const std::string& sql, const std::vector<SqlParam>& params,
      absl::FunctionRef<absl::Status(const Row&)> visit) override;
  absl::StatusOr<v1::MatchRecord> Match(int64_t match_id) override;
  absl::StatusOr<int64_t> Execute(const std::string& sql,
                                  const std::vector<SqlParam>& params) override;
  absl::StatusOr<int64_t> AppendAuditRow(absl::string_view kind,
                                         absl::string_view content,
                                         int64_t at_micros,
                                         int64_t match_id) override;

 private:
  PostgresConnection& db_;
};

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_POSTGRES_REVIEW_DATABASE_H_
