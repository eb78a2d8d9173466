// The web page's SQL, written with SQLite's ?N parameters and translated for
// PostgreSQL.
#include "review/review_report_sql.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace clearmatch::review_internal {
namespace {

// The WHERE clause of ListMatches' filters on parameters ?2..?9.
constexpr char kMatchFilters[] =
    " (?2 = 0 OR recorded_at >= ?2) AND (?3 = 0 OR recorded_at < ?3)"
    " AND (?4 = 0 OR verdict = ?4) AND (?5 = 0 OR outcome = ?5)"
    " AND (?6 = 0 OR (?6 = 1 AND outcome = 0) OR (?6 = 2 AND outcome != 0))"
    " AND (?7 = '' OR id IN (SELECT match_id FROM match_banks WHERE "
    "bank = ?7))"
    " AND (?8 = '' OR id IN (SELECT match_id FROM match_categories WHERE "
    "category = ?8))"
    " AND (?9 = 0 OR context = ?9)";
// The PostgreSQL types of the parameters ?1..?10 of the matches' queries.
const std::vector<absl::string_view>& MatchParamTypes() {
  static const auto* types = new std::vector<absl::string_view>{
      "bigint",  "bigint", "bigint", "integer", "integer",
      "integer", "text",   "text",   "integer", "integer"};
  return *types;
}

// The latest decision of each match whose time is in [?1, ?2) (0: no
// bound).
constexpr char kLatestDecisions[] =
    "WITH latest AS (SELECT match_id, outcome, decided_at FROM decisions "
    "WHERE id IN (SELECT MAX(id) FROM decisions GROUP BY match_id) "
    "AND (?1 = 0 OR decided_at >= ?1) AND (?2 = 0 OR decided_at < ?2)) ";

const std::vector<absl::string_view>& RangeTypes() {
  static const auto* types =
      new std::vector<absl::string_view>{"bigint", "bigint"};
  return *types;
}

}  // namespace

std::string InDialect(SqlDialect dialect, absl::string_view sql,
                      const std::vector<absl::string_view>& types) {
  if (dialect == SqlDialect::kSqlite) return std::string(sql);
  std::string out;
  size_t i = 0;
  while (i < sql.size()) {
    if (sql[i] != '?') {
      out.push_back(sql[i++]);
      continue;
    }
    size_t end = i + 1;
    int number = 0;
    while (end < sql.size() && absl::ascii_isdigit(sql[end])) {
      number = number * 10 + (sql[end++] - '0');
    }
    absl::StrAppend(&out, "$", number, "::", types.at(number - 1));
    i = end;
  }
  return out;
}

std::string MatchIdsSql(SqlDialect dialect, bool oldest_first) {
  return InDialect(
      dialect,
      absl::StrCat("SELECT id FROM matches WHERE id ", oldest_first ? ">" : "<",
                   " ?1 AND", kMatchFilters, " ORDER BY id ",
                   oldest_first ? "ASC" : "DESC", " LIMIT ?10"),
      MatchParamTypes());
}

std::string CountMatchesSql(SqlDialect dialect) {
  return InDialect(
      dialect,
      absl::StrCat("SELECT COUNT(*) FROM matches WHERE ?1 = ?1 AND",
                   kMatchFilters),
      MatchParamTypes());
}

std::string PendingSql() {
  return "SELECT COUNT(*), MIN(recorded_at) FROM matches WHERE outcome = 0";
}

std::string AuditPageSql(SqlDialect dialect) {
  return InDialect(
      dialect,
      "SELECT a.seq, a.at, a.kind, a.content, a.prev_hash, a.hash, "
      "(SELECT MIN(m.match_id) FROM audit_matches m WHERE m.seq = a.seq) "
      "FROM audit a WHERE a.seq > ?1 AND (?2 = 0 OR a.seq IN (SELECT seq "
      "FROM audit_matches WHERE match_id = ?2)) ORDER BY a.seq LIMIT ?3",
      {"bigint", "bigint", "integer"});
}

std::string DecisionsPerDaySql(SqlDialect dialect) {
  const absl::string_view day =
      dialect == SqlDialect::kSqlite
          ? "strftime('%Y-%m-%d', decided_at / 1000000, 'unixepoch')"
          : "to_char(to_timestamp(decided_at / 1000000) AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD')";
  return InDialect(dialect,
                   absl::StrCat(kLatestDecisions, "SELECT ", day,
                                " AS day, outcome, COUNT(*) FROM latest "
                                "GROUP BY day, outcome ORDER BY day, outcome"),
                   RangeTypes());
}

std::string DecisionsPerBankSql(SqlDialect dialect) {
  const absl::string_view bytewise =
      dialect == SqlDialect::kSqlite ? "BINARY" : "\"C\"";
  return InDialect(
      dialect,
      absl::StrCat(kLatestDecisions,
                   "SELECT b.bank, l.outcome, COUNT(*) FROM latest l JOIN "
                   "match_banks b ON b.match_id = l.match_id GROUP BY b.bank, "
                   "l.outcome ORDER BY b.bank COLLATE ",
                   bytewise, ", l.outcome"),
      RangeTypes());
}

std::string TimeToDecisionSql(SqlDialect dialect) {
  return InDialect(
      dialect,
      "SELECT MIN(d.decided_at) - m.recorded_at FROM decisions d "
      "JOIN matches m ON m.id = d.match_id GROUP BY d.match_id, m.recorded_at "
      "HAVING (?1 = 0 OR MIN(d.decided_at) >= ?1) AND "
      "(?2 = 0 OR MIN(d.decided_at) < ?2)",
      RangeTypes());
}

}  // namespace clearmatch::review_internal
