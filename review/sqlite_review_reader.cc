// The SQLite review store's reader: statements row by row.
#include "review/sqlite_review_reader.h"

#include <variant>

#include "common/status_macros.h"
#include "review/sqlite_review_queries.h"
#include "sqlite/sqlite_statement.h"

namespace clearmatch::review_internal {
namespace {

// A row of a stepped statement.
class StatementRow final : public ReviewReader::Row {
 public:
  explicit StatementRow(const SqliteStatement& statement)
      : statement_(statement) {}
  int64_t Int(int column) const override { return statement_.Int(column); }
  std::string Text(int column) const override {
    return statement_.Text(column);
  }
  std::string Bytes(int column) const override {
    return statement_.Text(column);
  }

 private:
  const SqliteStatement& statement_;
};

}  // namespace

absl::Status SqliteReviewReader::ForEachRow(
    const std::string& sql, const std::vector<SqlParam>& params,
    absl::FunctionRef<absl::Status(const Row&)> visit) {
  CM_ASSIGN_OR_RETURN(SqliteStatement statement, db_.Prepare(sql));
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const int64_t* number = std::get_if<int64_t>(&params[i])) {
      statement.BindInt(index, *number);
    } else {
      statement.BindText(index, std::get<std::string>(params[i]));
    }
  }
  return statement.ForEachRow(
      [&](const SqliteStatement& row) { return visit(StatementRow(row)); });
}

absl::StatusOr<v1::MatchRecord> SqliteReviewReader::Match(int64_t match_id) {
  return SelectMatch(db_, match_id);
}

}  // namespace clearmatch::review_internal
