// The PostgreSQL review store's reader: a statement's result row by row.
#include "review/postgres_review_reader.h"

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

}  // namespace

absl::Status PostgresReviewReader::ForEachRow(
    const std::string& sql, const std::vector<SqlParam>& params,
    absl::FunctionRef<absl::Status(const Row&)> visit) {
  std::vector<PostgresParam> bound;
  bound.reserve(params.size());
  for (const SqlParam& param : params) {
    if (const int64_t* number = std::get_if<int64_t>(&param)) {
      bound.emplace_back(*number);
    } else {
      bound.emplace_back(std::get<std::string>(param));
    }
  }
  CM_ASSIGN_OR_RETURN(const PostgresResult result, db_.Query(sql, bound));
  for (int i = 0; i < result.rows(); ++i) {
    CM_RETURN_IF_ERROR(visit(ResultRow(result, i)));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::MatchRecord> PostgresReviewReader::Match(int64_t match_id) {
  return SelectMatch(db_, match_id);
}

}  // namespace clearmatch::review_internal
