// Schema 3 -> 4: the context column, match categories and audit rows by
// match.
#include "review/schema_v4_migration.h"

#include <optional>
#include <string>
#include <vector>

#include "clearmatch/v1/review.pb.h"
#include "common/status_macros.h"
#include "review/review_listing.h"
#include "sqlite/sqlite_statement.h"

namespace clearmatch::review_internal {
namespace {

constexpr char kAddIndexes[] = R"sql(
CREATE INDEX IF NOT EXISTS matches_by_outcome ON matches(outcome, id);
CREATE INDEX IF NOT EXISTS audit_matches_by_seq ON audit_matches(seq);
)sql";

// The context and categories of every stored record.
absl::Status FillMatchFilters(SqliteConnection& db) {
  CM_ASSIGN_OR_RETURN(SqliteStatement rows,
                      db.Prepare("SELECT id, record FROM matches ORDER BY id"));
  struct Filters {
    int64_t id;
    int context;
    std::vector<std::string> categories;
  };
  std::vector<Filters> all;
  CM_RETURN_IF_ERROR(rows.ForEachRow([&](const SqliteStatement& row) {
    v1::MatchRecord record;
    if (!record.ParseFromString(row.Text(1))) return absl::OkStatus();
    Filters filters{row.Int(0), record.context(), {}};
    for (const v1::Match& match : record.matches()) {
      filters.categories.push_back(match.category());
    }
    all.push_back(std::move(filters));
    return absl::OkStatus();
  }));
  CM_ASSIGN_OR_RETURN(
      SqliteStatement context,
      db.Prepare("UPDATE matches SET context = ? WHERE id = ?"));
  CM_ASSIGN_OR_RETURN(
      SqliteStatement category,
      db.Prepare("INSERT OR IGNORE INTO match_categories VALUES (?, ?)"));
  for (const Filters& filters : all) {
    context.BindInt(1, filters.context);
    context.BindInt(2, filters.id);
    CM_RETURN_IF_ERROR(context.Run());
    for (const std::string& name : filters.categories) {
      category.BindText(1, name);
      category.BindInt(2, filters.id);
      CM_RETURN_IF_ERROR(category.Run());
    }
  }
  return absl::OkStatus();
}

// audit_matches from the audit rows' contents.
absl::Status FillAuditMatches(SqliteConnection& db) {
  CM_ASSIGN_OR_RETURN(SqliteStatement rows,
                      db.Prepare("SELECT seq, kind, content FROM audit"));
  std::vector<std::pair<int64_t, int64_t>> pairs;  // (match, seq)
  CM_RETURN_IF_ERROR(rows.ForEachRow([&](const SqliteStatement& row) {
    const int64_t match_id = AuditContentMatchId(row.Text(1), row.Text(2));
    if (match_id != 0) pairs.emplace_back(match_id, row.Int(0));
    return absl::OkStatus();
  }));
  CM_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db.Prepare("INSERT OR IGNORE INTO audit_matches VALUES (?, ?)"));
  for (const auto& [match_id, seq] : pairs) {
    insert.BindInt(1, match_id);
    insert.BindInt(2, seq);
    CM_RETURN_IF_ERROR(insert.Run());
  }
  return absl::OkStatus();
}

}  // namespace

// Adds matches.context unless the file has it (a file of this version
// labelled older, as tests make them).
absl::Status AddContextColumn(SqliteConnection& db) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement column,
      db.Prepare("SELECT COUNT(*) FROM pragma_table_info('matches') "
                 "WHERE name = 'context'"));
  CM_ASSIGN_OR_RETURN(const bool has_row, column.Step());
  const bool present = has_row && column.Int(0) > 0;
  column.Reset();
  if (present) return absl::OkStatus();
  return db.Exec(
      "ALTER TABLE matches ADD COLUMN context INTEGER NOT NULL DEFAULT 0");
}

absl::Status MigrateToSchema4(SqliteConnection& db) {
  CM_RETURN_IF_ERROR(AddContextColumn(db));
  CM_RETURN_IF_ERROR(db.Exec(kAddIndexes));
  CM_RETURN_IF_ERROR(FillMatchFilters(db));
  CM_RETURN_IF_ERROR(FillAuditMatches(db));
  return db.Exec("UPDATE meta SET value = '4' WHERE key = 'schema_version'");
}

}  // namespace clearmatch::review_internal
