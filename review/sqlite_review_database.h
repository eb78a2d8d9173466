// SqliteReviewDatabase: the ReviewDatabase (review/review_database.h) of
// the SQLite review store, on its connection: for the listings and reports
// of the reviewers' web page (review/review_listing.h), the feedback outbox
// (review/feedback_outbox.h) and the allowlist's table
// (review/allowlist_table.h).
//
//   absl::MutexLock lock(&db_mu_);
//   SqliteReviewDatabase database(db_);
//   return review_internal::SelectStats(database, request);
//
// Borrows the connection (the caller holds its lock); thread-compatible.
#ifndef CLEARMATCH_REVIEW_SQLITE_REVIEW_DATABASE_H_
#define CLEARMATCH_REVIEW_SQLITE_REVIEW_DATABASE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/review.pb.h"
#include "review/review_database.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch::review_internal {

class SqliteReviewDatabase final : public ReviewDatabase {
 public:
  explicit SqliteReviewDatabase(SqliteConnection& db) : db_(db) {}

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }
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
  SqliteConnection& db_;
};

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_SQLITE_REVIEW_DATABASE_H_
