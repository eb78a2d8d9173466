// Audit pages and decision statistics.
#include "review/sqlite_review_reports.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "review/audit_chain.h"
#include "sqlite/sqlite_statement.h"

namespace clearmatch::review_internal {
namespace {

// The latest decision of each match whose time is in [?1, ?2) (0: no
// bound).
constexpr char kLatestDecisions[] =
    "WITH latest AS (SELECT match_id, outcome, decided_at FROM decisions "
    "WHERE id IN (SELECT MAX(id) FROM decisions GROUP BY match_id) "
    "AND (?1 = 0 OR decided_at >= ?1) AND (?2 = 0 OR decided_at < ?2)) ";

// The fields of an audit row that its content holds.
void FillFromContent(absl::string_view kind, absl::string_view content,
                     v1::AuditEntry& entry) {
  const std::optional<std::vector<std::string>> fields =
      ParseCanonicalFields(content);
  if (!fields.has_value()) return;
  const std::vector<std::string>& f = *fields;
  if (kind == "decide" && f.size() == 5) {
    int outcome = 0;
    if (absl::SimpleAtoi(f[1], &outcome) &&
        v1::ReviewOutcome_IsValid(outcome)) {
      entry.set_outcome(static_cast<v1::ReviewOutcome>(outcome));
    }
    entry.set_actor(f[2]);
    entry.set_note(f[3]);
  } else if (f.size() == 5) {  // allowlist_add, _remove, _skipped
    entry.set_content_key(f[0]);
    entry.set_bank(f[1]);
    entry.set_entry_id(f[2]);
    entry.set_actor(f[3]);
    entry.set_note(f[4]);
  }
}

absl::Status SelectPerDay(SqliteConnection& db,
                          const v1::GetStatsRequest& request,
                          v1::ReviewStats& stats) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db.Prepare(absl::StrCat(
          kLatestDecisions,
          "SELECT strftime('%Y-%m-%d', decided_at / 1000000, 'unixepoch') AS "
          "day, outcome, COUNT(*) FROM latest GROUP BY day, outcome "
          "ORDER BY day, outcome")));
  rows.BindInt(1, request.start_unix_micros());
  rows.BindInt(2, request.end_unix_micros());
  return rows.ForEachRow([&](const SqliteStatement& row) {
    v1::DailyDecisions* day = stats.add_per_day();
    day->set_day(row.Text(0));
    day->set_outcome(static_cast<v1::ReviewOutcome>(row.Int(1)));
    day->set_count(row.Int(2));
    return absl::OkStatus();
  });
}

absl::Status SelectPerBank(SqliteConnection& db,
                           const v1::GetStatsRequest& request,
                           v1::ReviewStats& stats) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db.Prepare(absl::StrCat(
          kLatestDecisions,
          "SELECT b.bank, l.outcome, COUNT(*) FROM latest l JOIN match_banks b "
          "ON b.match_id = l.match_id GROUP BY b.bank, l.outcome "
          "ORDER BY b.bank, l.outcome")));
  rows.BindInt(1, request.start_unix_micros());
  rows.BindInt(2, request.end_unix_micros());
  return rows.ForEachRow([&](const SqliteStatement& row) {
    v1::BankDecisions* bank = stats.add_per_bank();
    bank->set_bank(row.Text(0));
    bank->set_outcome(static_cast<v1::ReviewOutcome>(row.Int(1)));
    bank->set_count(row.Int(2));
    return absl::OkStatus();
  });
}

// decided_count and the time to the first decision, of the matches whose
// first decision is in the range.
absl::Status SelectTimeToDecision(SqliteConnection& db,
                                  const v1::GetStatsRequest& request,
                                  v1::ReviewStats& stats) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db.Prepare("SELECT MIN(d.decided_at) - m.recorded_at FROM decisions d "
                 "JOIN matches m ON m.id = d.match_id GROUP BY d.match_id "
                 "HAVING (?1 = 0 OR MIN(d.decided_at) >= ?1) AND "
                 "(?2 = 0 OR MIN(d.decided_at) < ?2)"));
  rows.BindInt(1, request.start_unix_micros());
  rows.BindInt(2, request.end_unix_micros());
  std::vector<double> seconds;
  CM_RETURN_IF_ERROR(rows.ForEachRow([&](const SqliteStatement& row) {
    seconds.push_back(std::max<int64_t>(row.Int(0), 0) / 1e6);
    return absl::OkStatus();
  }));
  std::sort(seconds.begin(), seconds.end());
  stats.set_decided_count(static_cast<int64_t>(seconds.size()));
  stats.set_median_seconds_to_decision(Percentile(seconds, 0.5));
  stats.set_p90_seconds_to_decision(Percentile(seconds, 0.9));
  return absl::OkStatus();
}

}  // namespace

double Percentile(const std::vector<double>& sorted_values, double fraction) {
  if (sorted_values.empty()) return 0;
  const double position = fraction * (sorted_values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted_values.size() - 1);
  const double weight = position - below;
  return sorted_values[below] * (1 - weight) + sorted_values[above] * weight;
}

absl::StatusOr<v1::ListAuditResponse> SelectAuditPage(SqliteConnection& db,
                                                      int64_t match_id,
                                                      int64_t after_seq,
                                                      int limit) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db.Prepare("SELECT a.seq, a.at, a.kind, a.content, a.prev_hash, a.hash, "
                 "(SELECT MIN(m.match_id) FROM audit_matches m "
                 "WHERE m.seq = a.seq) FROM audit a WHERE a.seq > ?1 AND "
                 "(?2 = 0 OR a.seq IN (SELECT seq FROM audit_matches "
                 "WHERE match_id = ?2)) ORDER BY a.seq LIMIT ?3"));
  rows.BindInt(1, after_seq);
  rows.BindInt(2, match_id);
  rows.BindInt(3, limit);
  v1::ListAuditResponse response;
  CM_RETURN_IF_ERROR(rows.ForEachRow([&](const SqliteStatement& row) {
    v1::AuditEntry* entry = response.add_entries();
    entry->set_seq(row.Int(0));
    entry->set_at_unix_micros(row.Int(1));
    entry->set_kind(row.Text(2));
    FillFromContent(row.Text(2), row.Text(3), *entry);
    entry->set_prev_hash(row.Text(4));
    entry->set_hash(row.Text(5));
    entry->set_match_id(row.Int(6));  // NULL: 0
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::ReviewStats> SelectStats(
    SqliteConnection& db, const v1::GetStatsRequest& request) {
  v1::ReviewStats stats;
  CM_RETURN_IF_ERROR(SelectPerDay(db, request, stats));
  CM_RETURN_IF_ERROR(SelectPerBank(db, request, stats));
  CM_RETURN_IF_ERROR(SelectTimeToDecision(db, request, stats));
  CM_ASSIGN_OR_RETURN(
      SqliteStatement pending,
      db.Prepare("SELECT COUNT(*), MIN(recorded_at) FROM matches "
                 "WHERE outcome = 0"));
  CM_ASSIGN_OR_RETURN(const bool has_pending, pending.Step());
  if (has_pending) {
    stats.set_pending_count(pending.Int(0));
    stats.set_oldest_pending_unix_micros(pending.Int(1));
  }
  pending.Reset();
  return stats;
}

}  // namespace clearmatch::review_internal
