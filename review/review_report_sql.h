// The SQL that both review stores run for the reviewers' web page: the
// ListMatches filters and counts, the audit page and the decision
// statistics, written once and given in either engine's dialect (SQLite's
// numbered parameters ?1, ?2... or PostgreSQL's typed $1::bigint, $2::text...;
// the UTC day of a time; the byte-wise collation).
//
//   db.Prepare(MatchIdsSql(SqlDialect::kSqlite, /*oldest_first=*/true));
//   db.Query(MatchIdsSql(SqlDialect::kPostgres, false), {after, ...});
//
// The parameters of each statement are listed with it; the stores bind them
// in that order. The feedback outbox's and the allowlist's statements
// (review/feedback_outbox.h, review/allowlist_table.h) are written with
// InDialect too. Pure functions.
#ifndef CLEARMATCH_REVIEW_REVIEW_REPORT_SQL_H_
#define CLEARMATCH_REVIEW_REVIEW_REPORT_SQL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace clearmatch::review_internal {

enum class SqlDialect { kSqlite, kPostgres };

// `sql`, written with SQLite's numbered parameters ?1, ?2..., in `dialect`:
// unchanged for SQLite; for PostgreSQL each ?N becomes $N::<types[N-1]>.
//   InDialect(SqlDialect::kPostgres, "... id = ?1", {"bigint"}) ==
//       "... id = $1::bigint"
std::string InDialect(SqlDialect dialect, absl::string_view sql,
                      const std::vector<absl::string_view>& types);

// ListMatches' filters are parameters 2..9: start and end of recorded_at
// (bigint, 0: no bound), verdict, outcome, status (integer, 0: any), bank,
// category (text, '': any), context (integer, 0: any).

// The ids after parameter 1 (bigint) in the order (newest first: below it;
// oldest first: above it) that the filters select, at most parameter 10
// (integer).
std::string MatchIdsSql(SqlDialect dialect, bool oldest_first);
// COUNT(*) of the records the filters select; parameter 1 (bigint) is
// unused (bind 0).
std::string CountMatchesSql(SqlDialect dialect);
// COUNT(*) and MIN(recorded_at) (NULL when none) of the pending records.
std::string PendingSql();

// The audit rows after sequence number parameter 1 (bigint), of the match
// parameter 2 (bigint, 0: all), oldest first, at most parameter 3
// (integer): seq, at, kind, content, prev_hash, hash, the smallest match id
// the row is about (NULL: none).
std::string AuditPageSql(SqlDialect dialect);

// The statistics over the decisions in [parameter 1, parameter 2) (bigint,
// 0: no bound). The latest decision of each match: its UTC day
// ("YYYY-MM-DD"), outcome and count, by day and outcome.
std::string DecisionsPerDaySql(SqlDialect dialect);
// The latest decision of each match: bank, outcome and count, by bank and
// outcome (banks in byte order).
std::string DecisionsPerBankSql(SqlDialect dialect);
// Per match whose first decision is in the range: microseconds from
// recording to that decision.
std::string TimeToDecisionSql(SqlDialect dialect);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_REVIEW_REPORT_SQL_H_
