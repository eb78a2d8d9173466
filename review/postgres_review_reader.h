// PostgresReviewReader: the ReviewReader (review/review_reader.h) of the
// PostgreSQL review store, on its connection, for the listings and reports
// of the reviewers' web page (review/review_listing.h): the same SQL as
// SQLite's in PostgreSQL's dialect, and the same answers.
//
//   absl::MutexLock lock(&db_mu_);
//   PostgresReviewReader reader(db_);
//   return review_internal::ListAuditPage(reader, request);
//
// Borrows the connection (the caller holds its lock); thread-compatible.
#ifndef CLEARMATCH_REVIEW_POSTGRES_REVIEW_READER_H_
#define CLEARMATCH_REVIEW_POSTGRES_REVIEW_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearmatch/v1/review.pb.h"
#include "postgres/postgres_connection.h"
#include "review/review_reader.h"

namespace clearmatch::review_internal {

class PostgresReviewReader final : public ReviewReader {
 public:
  explicit PostgresReviewReader(PostgresConnection& db) : db_(db) {}

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }
  absl::Status ForEachRow(
      const std::string& sql, const std::vector<SqlParam>& params,
      absl::FunctionRef<absl::Status(const Row&)> visit) override;
  absl::StatusOr<v1::MatchRecord> Match(int64_t match_id) override;

 private:
  PostgresConnection& db_;
};

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_POSTGRES_REVIEW_READER_H_
