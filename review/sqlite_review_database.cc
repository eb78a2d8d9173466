// The SQLite review store's database: statements row by row, writes.
#include "review/sqlite_review_database.h"

#include <variant>

#include "common/status_macros.h"
#include "review/audit_chain.h"
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

// `sql` prepared, with `params` bound to its parameters 1, 2...
absl::StatusOr<SqliteStatement> Prepare(SqliteConnection& db,
                                        const std::string& sql,
                                        const std::vector<SqlParam>& params) {
  CM_ASSIGN_OR_RETURN(SqliteStatement statement, db.Prepare(sql));
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const int64_t* number = std::get_if<int64_t>(&params[i])) {
      statement.BindInt(index, *number);
    } else {
      statement.BindText(index, std::get<std::string>(params[i]));
    }
  }
  return statement;
}

}  // namespace

absl::Status SqliteReviewDatabase::ForEachRow(
    const std::string& sql, const std::vector<SqlParam>& params,
    absl::FunctionRef<absl::Status(const Row&)> visit) {
  CM_ASSIGN_OR_RETURN(SqliteStatement statement, Prepare(db_, sql, params));
  return statement.ForEachRow(
      [&](const SqliteStatement& row) { return visit(StatementRow(row)); });
}

absl::StatusOr<v1::MatchRecord> SqliteReviewDatabase::Match(int64_t match_id) {
  return SelectMatch(db_, match_id);
}

absl::StatusOr<int64_t> SqliteReviewDatabase::Execute(
    const std::string& sql, const std::vector<SqlParam>& params) {
  CM_ASSIGN_OR_RETURN(SqliteStatement statement, Prepare(db_, sql, params));
  CM_RETURN_IF_ERROR(statement.Run());
  return db_.Changes();
}

absl::StatusOr<int64_t> SqliteReviewDatabase::AppendAuditRow(
    absl::string_view kind, absl::string_view content, int64_t at_micros,
    int64_t match_id) {
  return clearmatch::AppendAuditRow(db_, kind, content, at_micros, match_id);
}

}  // namespace clearmatch::review_internal
