// `clearmatch review audit` and `clearmatch review stats`.
#include "cli/review_report_commands.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/command.h"

namespace clearmatch::cli {
namespace {

// The most rows one ListAudit page may hold.
constexpr int kMaxAuditPageSize = 1000;

// False after printing why unless `until` (0: no bound) is after `since`:
// the flags --since and --until of a range.
bool UntilAfterSince(int64_t since, int64_t until, std::ostream& err) {
  if (until != 0 && until <= since) {
    err << "clearmatch review: --until must be after --since\n";
    return false;
  }
  return true;
}

// " CONFIRMED tid/e1 pdq:ab.. \"note\"": what of the outcome, the allowlist
// pair and the note `entry` holds.
std::string AuditSummary(const v1::AuditEntry& entry) {
  std::string summary;
  if (entry.outcome() != v1::REVIEW_OUTCOME_UNSPECIFIED) {
    absl::StrAppend(&summary, " ", v1::ReviewOutcome_Name(entry.outcome()));
  }
  if (!entry.bank().empty() || !entry.entry_id().empty()) {
    absl::StrAppend(&summary, " ", entry.bank(), "/", entry.entry_id());
  }
  if (!entry.content_key().empty()) {
    absl::StrAppend(&summary, " ", entry.content_key());
  }
  if (!entry.note().empty()) {
    absl::StrAppend(&summary, " \"", absl::Utf8SafeCHexEscape(entry.note()),
                    "\"");
  }
  return summary;
}

void PrintAuditEntry(const v1::AuditEntry& entry, bool json,
                     std::ostream& out) {
  if (json) {
    out << ReviewJson(entry) << "\n";
    return;
  }
  out << entry.seq() << " " << ReviewTimeText(entry.at_unix_micros()) << " "
      << (entry.actor().empty() ? "-" : entry.actor()) << " " << entry.kind()
      << " "
      << (entry.match_id() == 0 ? std::string("-")
                                : absl::StrCat("match ", entry.match_id()))
      << AuditSummary(entry) << "\n";
}

// Counts of the outcomes CONFIRMED, FALSE_POSITIVE, ESCALATED and of all.
using OutcomeCounts = std::array<int64_t, 4>;
constexpr v1::ReviewOutcome kOutcomeColumns[] = {
    v1::CONFIRMED, v1::FALSE_POSITIVE, v1::ESCALATED};

// The (key, outcome, count) rows of `rows` as one OutcomeCounts per key, in
// the order the keys first come.
template <typename Row, typename KeyOf>
std::vector<std::pair<std::string, OutcomeCounts>> ByOutcome(
    const google::protobuf::RepeatedPtrField<Row>& rows, KeyOf key_of) {
  std::vector<std::pair<std::string, OutcomeCounts>> table;
  for (const Row& row : rows) {
    const std::string key = key_of(row);
    auto it = std::find_if(table.begin(), table.end(),
                           [&](const auto& line) { return line.first == key; });
    if (it == table.end()) {
      table.emplace_back(key, OutcomeCounts{});
      it = table.end() - 1;
    }
    OutcomeCounts& counts = it->second;
    for (size_t i = 0; i < std::size(kOutcomeColumns); ++i) {
      if (row.outcome() == kOutcomeColumns[i]) counts[i] += row.count();
    }
    counts[3] += row.count();
  }
  return table;
}

void PrintOutcomeTable(
    const std::string& title,
    const std::vector<std::pair<std::string, OutcomeCounts>>& table,
    std::ostream& out) {
  int width = static_cast<int>(title.size());
  for (const auto& [key, counts] : table) {
    width = std::max(width, static_cast<int>(key.size()));
  }
  out << absl::StrFormat("\n%-*s  %9s  %14s  %9s  %9s\n", width, title,
                         "CONFIRMED", "FALSE_POSITIVE", "ESCALATED", "TOTAL");
  for (const auto& [key, counts] : table) {
    out << absl::StrFormat("%-*s  %9d  %14d  %9d  %9d\n", width, key, counts[0],
                           counts[1], counts[2], counts[3]);
  }
  if (table.empty()) out << "(no decisions)\n";
}

void PrintStats(const v1::ReviewStats& stats, std::ostream& out) {
  out << absl::StrFormat(
      "decided: %d (time to the first decision: median %.1f s, p90 %.1f s)\n",
      stats.decided_count(), stats.median_seconds_to_decision(),
      stats.p90_seconds_to_decision());
  out << "pending: " << stats.pending_count();
  if (stats.oldest_pending_unix_micros() != 0) {
    out << " (oldest recorded "
        << ReviewTimeText(stats.oldest_pending_unix_micros()) << ")";
  }
  out << "\n";
  PrintOutcomeTable(
      "DAY (UTC)",
      ByOutcome(stats.per_day(),
                [](const v1::DailyDecisions& row) { return row.day(); }),
      out);
  PrintOutcomeTable("BANK",
                    ByOutcome(stats.per_bank(),
                              [](const v1::BankDecisions& row) {
                                return row.bank().empty()
                                           ? std::string("(no bank)")
                                           : row.bank();
                              }),
                    out);
}

}  // namespace

int RunReviewAudit(v1::Review::StubInterface& stub, const ReviewArgs& args,
                   std::ostream& out, std::ostream& err) {
  std::optional<int64_t> match_id, limit;
  int64_t since = 0, until = 0;
  if (!ReviewPositiveFlag(args, "--match", &match_id, err) ||
      !ReviewPositiveFlag(args, "--limit", &limit, err) ||
      !ReviewTimeRange(args, &since, &until, err) ||
      !UntilAfterSince(since, until, err)) {
    return kExitUsage;
  }
  const bool filtered = since != 0 || until != 0;
  v1::ListAuditRequest request;
  request.set_match_id(match_id.value_or(0));
  request.set_page_size(
      static_cast<int>(limit.has_value() && !filtered
                           ? std::min<int64_t>(*limit, kMaxAuditPageSize)
                           : kMaxAuditPageSize));
  const bool json = args.Has("--json");
  int64_t printed = 0;
  do {
    v1::ListAuditResponse response;
    if (!CallReview(args, stub, &v1::Review::StubInterface::ListAudit, request,
                    &response, err)) {
      return kExitInputFailed;
    }
    for (const v1::AuditEntry& entry : response.entries()) {
      if (entry.at_unix_micros() < since ||
          (until != 0 && entry.at_unix_micros() >= until)) {
        continue;
      }
      PrintAuditEntry(entry, json, out);
      if (limit.has_value() && ++printed >= *limit) return kExitOk;
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return kExitOk;
}

int RunReviewStats(v1::Review::StubInterface& stub, const ReviewArgs& args,
                   std::ostream& out, std::ostream& err) {
  v1::GetStatsRequest request;
  if (!ReviewTimeRangeOf(args, &request, err) ||
      !UntilAfterSince(request.start_unix_micros(), request.end_unix_micros(),
                       err)) {
    return kExitUsage;
  }
  v1::ReviewStats stats;
  if (!CallReview(args, stub, &v1::Review::StubInterface::GetStats, request,
                  &stats, err)) {
    return kExitInputFailed;
  }
  if (args.Has("--json")) {
    out << ReviewJson(stats) << "\n";
  } else {
    PrintStats(stats, out);
  }
  return kExitOk;
}

}  // namespace clearmatch::cli
