// The web page's listings and reports, engine-neutral.
#include "review/review_listing.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "review/audit_chain.h"
#include "review/review_request_checks.h"

namespace clearmatch::review_internal {
namespace {

// ListMatches' parameters: `first`, then the filters ?2..?9.
std::vector<SqlParam> MatchParams(const v1::ListMatchesRequest& request,
                                  int64_t first) {
  return {first,
          request.start_unix_micros(),
          request.end_unix_micros(),
          int64_t{request.decision()},
          int64_t{request.outcome()},
          int64_t{request.status()},
          request.bank(),
          request.category(),
          int64_t{request.context()}};
}

// total_count (of `request`'s filters), pending_count and
// oldest_pending_unix_micros (of all records).
absl::Status CountMatches(ReviewReader& reader,
                          const v1::ListMatchesRequest& request,
                          v1::ListMatchesResponse& response) {
  CM_RETURN_IF_ERROR(reader.ForEachRow(CountMatchesSql(reader.dialect()),
                                       MatchParams(request, 0),
                                       [&](const ReviewReader::Row& row) {
                                         response.set_total_count(row.Int(0));
                                         return absl::OkStatus();
                                       }));
  return reader.ForEachRow(PendingSql(), {}, [&](const ReviewReader::Row& row) {
    response.set_pending_count(row.Int(0));
    response.set_oldest_pending_unix_micros(row.Int(1));  // NULL: 0
    return absl::OkStatus();
  });
}

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

// Latest decisions per day and per bank.
absl::Status SelectDecisionCounts(ReviewReader& reader,
                                  const std::vector<SqlParam>& range,
                                  v1::ReviewStats& stats) {
  CM_RETURN_IF_ERROR(reader.ForEachRow(
      DecisionsPerDaySql(reader.dialect()), range,
      [&](const ReviewReader::Row& row) {
        v1::DailyDecisions* day = stats.add_per_day();
        day->set_day(row.Text(0));
        day->set_outcome(static_cast<v1::ReviewOutcome>(row.Int(1)));
        day->set_count(row.Int(2));
        return absl::OkStatus();
      }));
  return reader.ForEachRow(
      DecisionsPerBankSql(reader.dialect()), range,
      [&](const ReviewReader::Row& row) {
        v1::BankDecisions* bank = stats.add_per_bank();
        bank->set_bank(row.Text(0));
        bank->set_outcome(static_cast<v1::ReviewOutcome>(row.Int(1)));
        bank->set_count(row.Int(2));
        return absl::OkStatus();
      });
}

// decided_count and the time to the first decision, of the matches whose
// first decision is in the range.
absl::Status SelectTimeToDecision(ReviewReader& reader,
                                  const std::vector<SqlParam>& range,
                                  v1::ReviewStats& stats) {
  std::vector<double> seconds;
  CM_RETURN_IF_ERROR(reader.ForEachRow(
      TimeToDecisionSql(reader.dialect()), range,
      [&](const ReviewReader::Row& row) {
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

absl::StatusOr<v1::ListMatchesResponse> ListMatchesPage(
    ReviewReader& reader, const v1::ListMatchesRequest& request) {
  CM_ASSIGN_OR_RETURN(const int page_size, PageSize(request.page_size()));
  CM_RETURN_IF_ERROR(
      CheckTimeRange(request.start_unix_micros(), request.end_unix_micros()));
  CM_RETURN_IF_ERROR(CheckListMatchesFilters(request));
  const bool oldest_first =
      request.order() == v1::ListMatchesRequest::OLDEST_FIRST;
  const std::string fingerprint = ListMatchesFingerprint(request);
  CM_ASSIGN_OR_RETURN(const int64_t after,
                      ParsePageToken(request.page_token(), fingerprint,
                                     oldest_first ? 0 : INT64_MAX));
  // Keyset pagination on the id: rows inserted while a client pages have
  // larger ids and never shift later pages (newest first), or come at the
  // end (oldest first).
  std::vector<SqlParam> params = MatchParams(request, after);
  params.emplace_back(int64_t{page_size} + 1);
  std::vector<int64_t> ids;
  CM_RETURN_IF_ERROR(
      reader.ForEachRow(MatchIdsSql(reader.dialect(), oldest_first), params,
                        [&](const ReviewReader::Row& row) {
                          ids.push_back(row.Int(0));
                          return absl::OkStatus();
                        }));
  v1::ListMatchesResponse response;
  for (size_t i = 0; i < ids.size() && i < static_cast<size_t>(page_size);
       ++i) {
    CM_ASSIGN_OR_RETURN(*response.add_matches(), reader.Match(ids[i]));
  }
  if (ids.size() > static_cast<size_t>(page_size)) {
    response.set_next_page_token(
        MakePageToken(ids[page_size - 1], fingerprint));
  }
  CM_RETURN_IF_ERROR(CountMatches(reader, request, response));
  return response;
}

absl::StatusOr<v1::ListAuditResponse> ListAuditPage(
    ReviewReader& reader, const v1::ListAuditRequest& request) {
  CM_ASSIGN_OR_RETURN(const int page_size, PageSize(request.page_size()));
  if (request.match_id() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "match_id: ", request.match_id(), " is negative (0: every row)"));
  }
  const std::string fingerprint = ListAuditFingerprint(request);
  CM_ASSIGN_OR_RETURN(const int64_t after,
                      ParsePageToken(request.page_token(), fingerprint, 0));
  v1::ListAuditResponse response;
  CM_RETURN_IF_ERROR(reader.ForEachRow(
      AuditPageSql(reader.dialect()),
      {after, request.match_id(), int64_t{page_size} + 1},
      [&](const ReviewReader::Row& row) {
        if (response.entries_size() == page_size) {  // the one past the page
          response.set_next_page_token(MakePageToken(
              response.entries(page_size - 1).seq(), fingerprint));
          return absl::OkStatus();
        }
        v1::AuditEntry* entry = response.add_entries();
        entry->set_seq(row.Int(0));
        entry->set_at_unix_micros(row.Int(1));
        entry->set_kind(row.Text(2));
        FillFromContent(entry->kind(), row.Bytes(3), *entry);
        entry->set_prev_hash(row.Text(4));
        entry->set_hash(row.Text(5));
        entry->set_match_id(row.Int(6));  // NULL: 0
        return absl::OkStatus();
      }));
  return response;
}

absl::StatusOr<v1::ReviewStats> SelectStats(
    ReviewReader& reader, const v1::GetStatsRequest& request) {
  CM_RETURN_IF_ERROR(
      CheckTimeRange(request.start_unix_micros(), request.end_unix_micros()));
  const std::vector<SqlParam> range = {request.start_unix_micros(),
                                       request.end_unix_micros()};
  v1::ReviewStats stats;
  CM_RETURN_IF_ERROR(SelectDecisionCounts(reader, range, stats));
  CM_RETURN_IF_ERROR(SelectTimeToDecision(reader, range, stats));
  CM_RETURN_IF_ERROR(
      reader.ForEachRow(PendingSql(), {}, [&](const ReviewReader::Row& row) {
        stats.set_pending_count(row.Int(0));
        stats.set_oldest_pending_unix_micros(row.Int(1));  // NULL: 0
        return absl::OkStatus();
      }));
  return stats;
}

int64_t AuditContentMatchId(absl::string_view kind, absl::string_view content) {
  const std::optional<std::vector<std::string>> fields =
      ParseCanonicalFields(content);
  if (!fields.has_value() || fields->empty()) return 0;
  int64_t match_id = 0;
  if (kind == "decide") {
    return absl::SimpleAtoi((*fields)[0], &match_id) ? match_id : 0;
  }
  if (!absl::StartsWith(kind, "allowlist_") || fields->size() != 5) return 0;
  // The allowlist changes' reason: "match N...", "override of match N".
  absl::string_view why = (*fields)[4];
  if (!absl::ConsumePrefix(&why, "override of match ")) {
    if (!absl::ConsumePrefix(&why, "match ")) return 0;
  }
  why = why.substr(0, why.find_first_not_of("0123456789"));
  return absl::SimpleAtoi(why, &match_id) ? match_id : 0;
}

double Percentile(const std::vector<double>& sorted_values, double fraction) {
  if (sorted_values.empty()) return 0;
  const double position = fraction * (sorted_values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted_values.size() - 1);
  const double weight = position - below;
  return sorted_values[below] * (1 - weight) + sorted_values[above] * weight;
}

}  // namespace clearmatch::review_internal
