// The PostgreSQL review store's database: a statement's result row by row,
// writes.
#include "review/postgres_review_database.h"

#include <variant>

#include "common/status_macros.h"
#include "review/postgres_review_queries.h"

namespace clearmatch::review_internal {
namespace {

// Row `row` of a result.
class ResultRow final : public ReviewReader::Row {
 public:
  ResultRow(const PostgresResult& result, int row)
      : result_(result), row_(row) {}
  int64_t Int(int column) const override { return result_.Int(row_, column); }
  std::string Text(int column) const override {
    return result_.Text(row_, column);
  }
  std::string Bytes(int column) const override {
    return result_.Bytes(row_, column);
  }

 private:
  const PostgresResult& result_;
  const int row_;
};

std::vector<PostgresParam> Bound(const std::vector<SqlParam>& params) {
  std::vector<PostgresParam> bound;
  bound.reserve(params.size());
  for (const SqlParam& param : params) {
    if (const int64_t* number = std::get_if<int64_t>(&param)) {
      bound.emplace_back(*number);
    } else {
      bound.emplace_back(std::get<std::string>(param));
    }
  }
  return bound;
}

}  // namespace

absl::Status PostgresReviewDatabase::ForEachRow(
    const std::string& sql, const std::vector<SqlParam>& params,
    absl::FunctionRef<absl::Status(const Row&)> visit) {
  CM_ASSIGN_OR_RETURN(const PostgresResult result,
                      db_.Query(sql, Bound(params)));
  for (int i = 0; i < result.rows(); ++i) {
    CM_RETURN_IF_ERROR(visit(ResultRow(result, i)));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::MatchRecord> PostgresReviewDatabase::Match(
    int64_t match_id) {
  return SelectMatch(db_, match_id);
}

absl::StatusOr<int64_t> PostgresReviewDatabase::Execute(
    const std::string& sql, const std::vector<SqlParam>& params) {
  CM_ASSIGN_OR_RETURN(const PostgresResult result,
                      db_.Query(sql, Bound(params)));
  return result.affected();
}

absl::StatusOr<int64_t> PostgresReviewDatabase::AppendAuditRow(
    absl::string_view kind, absl::string_view content, int64_t at_micros,
    int64_t match_id) {
  return review_internal::AppendAuditRow(db_, kind, content, at_micros,
                                         match_id);
}

}  // namespace clearmatch::review_internal
