// ReviewDatabase: a ReviewReader (review/review_reader.h) that also
// writes: what the parts of the review stores written once for both
// engines need of a review database, besides reading. The feedback outbox
// (review/feedback_outbox.h) and the calls of SqlReviewStore
// (review/sql_review_store.h) run on it; SqliteReviewDatabase
// (review/sqlite_review_database.h) and PostgresReviewDatabase
// (review/postgres_review_database.h) implement it on their engine's
// connection.
//
//   CM_ASSIGN_OR_RETURN(const int64_t changed,
//                       db.Execute(sql, {now_micros, match_id}));
//
// Writes run inside the caller's transaction (SqlReviewStore's
// InDatabaseTransaction); a database borrows its store's connection for one
// call (the caller holds the connection's lock); thread-compatible.
#ifndef CLEARMATCH_REVIEW_REVIEW_DATABASE_H_
#define CLEARMATCH_REVIEW_REVIEW_DATABASE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "review/review_reader.h"

namespace clearmatch::review_internal {

class ReviewDatabase : public ReviewReader {
 public:
  // Runs the statement `sql` (in dialect()) with `params` bound to its
  // parameters 1, 2...; the number of rows it inserted, updated or deleted.
  virtual absl::StatusOr<int64_t> Execute(
      const std::string& sql, const std::vector<SqlParam>& params) = 0;
  // Appends the audit row (kind, content) at `at_micros`, chained to the
  // last one (review/audit_chain.h), and indexes it under `match_id` (the
  // match it is about; 0: none), as the engine does it (PostgreSQL's locks
  // the audit table until the transaction ends); the row's sequence number.
  virtual absl::StatusOr<int64_t> AppendAuditRow(absl::string_view kind,
                                                 absl::string_view content,
                                                 int64_t at_micros,
                                                 int64_t match_id) = 0;
};

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_REVIEW_DATABASE_H_
