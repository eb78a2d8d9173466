// ReviewReader: what the listings and reports that both review stores
// answer the same way (review/review_listing.h) need of a review database:
// its SQL dialect, one read-only statement with parameters row by row, and
// a stored record. ReviewDatabase (review/review_database.h) adds the
// writes; SqliteReviewDatabase (review/sqlite_review_database.h) and
// PostgresReviewDatabase (review/postgres_review_database.h) implement both
// on their engine's connection.
//
//   review_internal::SqliteReviewDatabase reader(db_);  // db_mu_ held
//   return review_internal::ListAuditPage(reader, request);
//
// A reader borrows its store's connection for one call (the caller holds
// the connection's lock); thread-compatible.
#ifndef CLEARMATCH_REVIEW_REVIEW_READER_H_
#define CLEARMATCH_REVIEW_REVIEW_READER_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearmatch/v1/review.pb.h"
#include "review/review_report_sql.h"

namespace clearmatch::review_internal {

// A statement parameter: bigint/integer or text (review/review_report_sql.h
// gives each statement's).
using SqlParam = std::variant<int64_t, std::string>;

class ReviewReader {
 public:
  // One row of a result.
  class Row {
   public:
    virtual ~Row() = default;
    virtual int64_t Int(int column) const = 0;  // NULL: 0
    virtual std::string Text(int column) const = 0;
    virtual std::string Bytes(int column) const = 0;  // a BLOB / bytea
  };

  virtual ~ReviewReader() = default;

  virtual SqlDialect dialect() const = 0;
  // Runs `sql` (in dialect()) with `params` bound to its parameters 1, 2...
  // and calls `visit` with each row; the first error stops it.
  virtual absl::Status ForEachRow(
      const std::string& sql, const std::vector<SqlParam>& params,
      absl::FunctionRef<absl::Status(const Row&)> visit) = 0;
  // The record with its id and decisions. NOT_FOUND for an unknown id;
  // DATA_LOSS for a stored record that does not parse.
  virtual absl::StatusOr<v1::MatchRecord> Match(int64_t match_id) = 0;
};

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_REVIEW_READER_H_
