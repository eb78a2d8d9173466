// SqliteReviewReader: the ReviewReader (review/review_reader.h) of the
// SQLite review store, on its connection, for the listings and reports of
// the reviewers' web page (review/review_listing.h).
//
//   absl::MutexLock lock(&db_mu_);
//   SqliteReviewReader reader(db_);
//   return review_internal::SelectStats(reader, request);
//
// Borrows the connection (the caller holds its lock); thread-compatible.
#ifndef CLEARMATCH_REVIEW_SQLITE_REVIEW_READER_H_
#define CLEARMATCH_REVIEW_SQLITE_REVIEW_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearmatch/v1/review.pb.h"
#include "review/review_reader.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch::review_internal {

class SqliteReviewReader final : public ReviewReader {
 public:
  explicit SqliteReviewReader(SqliteConnection& db) : db_(db) {}

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }
  absl::Status ForEachRow(
      const std::string& sql, const std::vector<SqlParam>& params,
      absl::FunctionRef<absl::Status(const Row&)> visit) override;
  absl::StatusOr<v1::MatchRecord> Match(int64_t match_id) override;

 private:
  SqliteConnection& db_;
};

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_SQLITE_REVIEW_READER_H_
