// `clearmatch review`: list, show, decide, export and outbox against a
// daemon (audit and stats: cli/review_report_commands.h); verify-audit
// offline.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clearmatch/v1/review.grpc.pb.h"
#include "cli/command.h"
#include "cli/daemon_channel.h"
#include "cli/review_args.h"
#include "cli/review_report_commands.h"
#include "postgres/postgres_connection.h"
#include "review/review_store_factory.h"

namespace clearmatch::cli {
namespace {

std::string Usage() {
  return absl::StrCat(
      "usage: clearmatch review list [DAEMON] [--status pending|decided] "
      "[--bank B]\n"
      "           [--outcome confirmed|false-positive|escalated] "
      "[--since UNIX_S] [--until UNIX_S]\n"
      "           [--page-size N] [--page-token T] [--json]\n"
      "       clearmatch review show [DAEMON] MATCH_ID\n"
      "       clearmatch review decide [DAEMON] MATCH_ID "
      "confirmed|false-positive|escalated\n"
      "           [--reviewer NAME] [--note TEXT] [--override]\n"
      "       clearmatch review export [DAEMON] [--since UNIX_S] "
      "[--until UNIX_S]\n"
      "       clearmatch review outbox [DAEMON] [--state pending|sent|rejected|"
      "superseded|not-applicable]\n"
      "           [--bank B] [--page-size N] [--page-token T] [--json]\n"
      "       clearmatch review audit [DAEMON] [--match MATCH_ID] "
      "[--since UNIX_S] [--until UNIX_S]\n"
      "           [--limit N] [--json]\n"
      "       clearmatch review stats [DAEMON] [--since UNIX_S] "
      "[--until UNIX_S] [--json]\n"
      "       clearmatch review verify-audit --store FILE | --database-url "
      "URL\n"
      "  DAEMON: ",
      kLocalDaemonChannelUsage,
      "\n  (default: the unix socket of a daemon started here with its "
      "defaults, as its own user)\n");
}

bool ParseOutcome(const std::string& text, v1::ReviewOutcome* outcome) {
  if (text == "confirmed") {
    *outcome = v1::CONFIRMED;
  } else if (text == "false-positive") {
    *outcome = v1::FALSE_POSITIVE;
  } else if (text == "escalated") {
    *outcome = v1::ESCALATED;
  } else {
    return false;
  }
  return true;
}

std::string StatusText(const v1::MatchRecord& record) {
  if (record.decisions().empty()) return "PENDING";
  return v1::ReviewOutcome_Name(record.decisions().rbegin()->outcome());
}

int List(v1::Review::StubInterface& stub, const ReviewArgs& parsed,
         std::ostream& out, std::ostream& err) {
  v1::ListMatchesRequest request;
  if (auto it = parsed.flags.find("--status"); it != parsed.flags.end()) {
    if (it->second == "pending") {
      request.set_status(v1::ListMatchesRequest::PENDING);
    } else if (it->second == "decided") {
      request.set_status(v1::ListMatchesRequest::DECIDED);
    } else {
      err << "clearmatch review: --status must be pending or decided\n";
      return kExitUsage;
    }
  }
  if (auto it = parsed.flags.find("--outcome"); it != parsed.flags.end()) {
    v1::ReviewOutcome outcome;
    if (!ParseOutcome(it->second, &outcome)) {
      err << "clearmatch review: --outcome must be confirmed, "
             "false-positive or escalated\n";
      return kExitUsage;
    }
    request.set_outcome(outcome);
  }
  if (auto it = parsed.flags.find("--bank"); it != parsed.flags.end()) {
    request.set_bank(it->second);
  }
  if (auto it = parsed.flags.find("--page-token"); it != parsed.flags.end()) {
    request.set_page_token(it->second);
  }
  if (auto it = parsed.flags.find("--page-size"); it != parsed.flags.end()) {
    int size = 0;
    if (!absl::SimpleAtoi(it->second, &size) || size <= 0) {
      err << "clearmatch review: --page-size must be a positive number\n";
      return kExitUsage;
    }
    request.set_page_size(size);
  }
  if (!ReviewTimeRangeOf(parsed, &request, err)) return kExitUsage;
  v1::ListMatchesResponse response;
  if (!CallReview(parsed, stub, &v1::Review::StubInterface::ListMatches,
                  request, &response, err)) {
    return kExitInputFailed;
  }
  const bool json = parsed.flags.count("--json") > 0;
  for (const v1::MatchRecord& record : response.matches()) {
    if (json) {
      out << ReviewJson(record) << "\n";
      continue;
    }
    out << record.match_id() << " "
        << ReviewTimeText(record.recorded_unix_micros()) << " "
        << v1::Decision_Name(record.decision()) << " " << StatusText(record)
        << " " << record.content_id();
    for (const v1::Match& match : record.matches()) {
      out << " " << match.bank() << "/" << match.entry_id() << "("
          << match.hash_type() << " " << match.distance()
          << (match.shadow() ? " shadow" : "") << ")";
    }
    out << "\n";
  }
  if (!response.next_page_token().empty()) {
    if (json) {
      out << "{\"next_page_token\":\"" << response.next_page_token() << "\"}\n";
    } else {
      out << "next page: --page-token " << response.next_page_token() << "\n";
    }
  }
  return kExitOk;
}

bool MatchId(const ReviewArgs& parsed, size_t index, int64_t* id,
             std::ostream& err) {
  if (parsed.positional.size() <= index ||
      !absl::SimpleAtoi(parsed.positional[index], id) || *id <= 0) {
    err << "clearmatch review: a positive MATCH_ID is required\n" << Usage();
    return false;
  }
  return true;
}

int Show(v1::Review::StubInterface& stub, const ReviewArgs& parsed,
         std::ostream& out, std::ostream& err) {
  v1::GetMatchRequest request;
  int64_t id = 0;
  if (!MatchId(parsed, 0, &id, err)) return kExitUsage;
  request.set_match_id(id);
  v1::MatchRecord record;
  if (!CallReview(parsed, stub, &v1::Review::StubInterface::GetMatch, request,
                  &record, err)) {
    return kExitInputFailed;
  }
  out << ReviewJson(record) << "\n";
  return kExitOk;
}

int Decide(v1::Review::StubInterface& stub, const ReviewArgs& parsed,
           std::ostream& out, std::ostream& err) {
  v1::DecideRequest request;
  int64_t id = 0;
  if (!MatchId(parsed, 0, &id, err)) return kExitUsage;
  v1::ReviewOutcome outcome;
  if (parsed.positional.size() != 2 ||
      !ParseOutcome(parsed.positional[1], &outcome)) {
    err << "clearmatch review: decide MATCH_ID "
           "confirmed|false-positive|escalated\n";
    return kExitUsage;
  }
  request.set_match_id(id);
  request.set_outcome(outcome);
  request.set_override(parsed.flags.count("--override") > 0);
  if (auto it = parsed.flags.find("--note"); it != parsed.flags.end()) {
    request.set_note(it->second);
  }
  // The daemon records the authenticated caller; --reviewer only asserts
  // who that is (a different name is refused).
  if (auto it = parsed.flags.find("--reviewer"); it != parsed.flags.end()) {
    request.set_reviewer(it->second);
  }
  v1::MatchRecord record;
  if (!CallReview(parsed, stub, &v1::Review::StubInterface::Decide, request,
                  &record, err)) {
    return kExitInputFailed;
  }
  out << record.match_id() << " " << StatusText(record) << " by "
      << record.decisions().rbegin()->reviewer() << "\n";
  return kExitOk;
}

int Export(v1::Review::StubInterface& stub, const ReviewArgs& parsed,
           std::ostream& out, std::ostream& err) {
  v1::ExportConfirmedRequest request;
  if (!ReviewTimeRangeOf(parsed, &request, err)) return kExitUsage;
  request.set_page_size(1000);
  do {
    v1::ExportConfirmedResponse response;
    if (!CallReview(parsed, stub, &v1::Review::StubInterface::ExportConfirmed,
                    request, &response, err)) {
      return kExitInputFailed;
    }
    for (const v1::ConfirmedMatch& match : response.matches()) {
      out << ReviewJson(match) << "\n";
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return kExitOk;
}

// The CLI's names of the outbox states ("not-applicable").
constexpr std::pair<const char*, v1::FeedbackState> kFeedbackStates[] = {
    {"pending", v1::FEEDBACK_PENDING},
    {"sent", v1::FEEDBACK_SENT},
    {"rejected", v1::FEEDBACK_REJECTED},
    {"superseded", v1::FEEDBACK_SUPERSEDED},
    {"not-applicable", v1::FEEDBACK_NOT_APPLICABLE}};

std::string FeedbackStateText(v1::FeedbackState state) {
  for (const auto& [name, value] : kFeedbackStates) {
    if (value == state) return name;
  }
  return "unknown";
}

void PrintFeedbackTable(const v1::ListFeedbackResponse& response,
                        std::ostream& out) {
  out << absl::StrFormat(
      "%-8s %-8s %-12s %-24s %-6s %-14s %-14s %-8s %-20s %s\n", "ID", "MATCH",
      "BANK", "ENTRY", "TYPE", "VERDICT", "STATE", "ATTEMPTS", "NEXT ATTEMPT",
      "LAST ERROR");
  for (const v1::FeedbackRow& row : response.rows()) {
    const bool waits = row.state() == v1::FEEDBACK_PENDING &&
                       row.next_attempt_unix_micros() > 0;
    out << absl::StrFormat(
        "%-8d %-8d %-12s %-24s %-6s %-14s %-14s %-8d %-20s %s\n", row.id(),
        row.match_id(), row.bank(), row.entry_id(), row.hash_type(),
        v1::ReviewOutcome_Name(row.verdict()), FeedbackStateText(row.state()),
        row.attempts(),
        waits ? ReviewTimeText(row.next_attempt_unix_micros()) : "-",
        row.last_error());
  }
  // "counts: ncmec: pending 3, sent 2; tid: not-applicable 5"
  out << "counts:";
  const std::string* bank = nullptr;
  for (const v1::FeedbackCount& count : response.counts()) {
    if (bank == nullptr || *bank != count.bank()) {
      out << (bank == nullptr ? " " : "; ")
          << (count.bank().empty() ? "(no bank)" : count.bank()) << ":";
      bank = &count.bank();
    } else {
      out << ",";
    }
    out << " " << FeedbackStateText(count.state()) << " " << count.count();
  }
  out << (response.counts().empty() ? " none\n" : "\n");
}

int Outbox(v1::Review::StubInterface& stub, const ReviewArgs& parsed,
           std::ostream& out, std::ostream& err) {
  v1::ListFeedbackRequest request;
  if (auto it = parsed.flags.find("--state"); it != parsed.flags.end()) {
    for (const auto& [name, value] : kFeedbackStates) {
      if (it->second == name) request.set_state(value);
    }
    if (request.state() == v1::FEEDBACK_STATE_UNSPECIFIED) {
      err << "clearmatch review: --state must be pending, sent, rejected, "
             "superseded or not-applicable\n";
      return kExitUsage;
    }
  }
  if (auto it = parsed.flags.find("--bank"); it != parsed.flags.end()) {
    request.set_bank(it->second);
  }
  if (auto it = parsed.flags.find("--page-token"); it != parsed.flags.end()) {
    request.set_page_token(it->second);
  }
  if (auto it = parsed.flags.find("--page-size"); it != parsed.flags.end()) {
    int size = 0;
    if (!absl::SimpleAtoi(it->second, &size) || size <= 0) {
      err << "clearmatch review: --page-size must be a positive number\n";
      return kExitUsage;
    }
    request.set_page_size(size);
  }
  v1::ListFeedbackResponse response;
  if (!CallReview(parsed, stub, &v1::Review::StubInterface::ListFeedback,
                  request, &response, err)) {
    return kExitInputFailed;
  }
  if (parsed.flags.count("--json") > 0) {
    for (const v1::FeedbackRow& row : response.rows()) {
      out << ReviewJson(row) << "\n";
    }
    response.clear_rows();
    out << ReviewJson(response) << "\n";  // counts and next_page_token
    return kExitOk;
  }
  PrintFeedbackTable(response, out);
  if (!response.next_page_token().empty()) {
    out << "next page: --page-token " << response.next_page_token() << "\n";
  }
  return kExitOk;
}

int VerifyAudit(const ReviewArgs& parsed, std::ostream& out,
                std::ostream& err) {
  auto store = parsed.flags.find("--store");
  auto url = parsed.flags.find("--database-url");
  const bool has_store = store != parsed.flags.end();
  const bool has_url = url != parsed.flags.end();
  if (has_store == has_url || !parsed.positional.empty()) {
    err << "usage: clearmatch review verify-audit --store FILE | "
           "--database-url URL\n";
    return kExitUsage;
  }
  // A URL's password never shows (RedactDatabaseUrl); $PGPASSFILE or the
  // URL's passfile parameter keep it off the command line.
  const std::string where =
      has_store ? store->second : RedactDatabaseUrl(url->second);
  absl::StatusOr<int64_t> rows =
      VerifyReviewAuditChain(has_store ? store->second : url->second);
  if (!rows.ok()) {
    err << "clearmatch review: " << where << ": " << rows.status().message()
        << "\n";
    return kExitInputFailed;
  }
  out << "audit chain ok: " << *rows << " rows\n";
  return kExitOk;
}

}  // namespace

int RunReviewCommand(const std::vector<std::string>& args, std::ostream& out,
                     std::ostream& err) {
  if (args.empty()) {
    err << Usage();
    return kExitUsage;
  }
  const std::string& sub = args[0];
  ReviewArgs parsed;
  if (!ParseReviewArgs(args, 1, &parsed, err)) {
    err << Usage();
    return kExitUsage;
  }
  if (sub == "verify-audit") return VerifyAudit(parsed, out, err);
  if (sub != "list" && sub != "show" && sub != "decide" && sub != "export" &&
      sub != "outbox" && sub != "audit" && sub != "stats") {
    err << "clearmatch review: unknown subcommand " << sub << "\n" << Usage();
    return kExitUsage;
  }
  if (sub != "show" && sub != "decide" && !parsed.positional.empty()) {
    err << "clearmatch review: unexpected argument " << parsed.positional[0]
        << "\n"
        << Usage();
    return kExitUsage;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      CreateDaemonChannel(parsed.daemon);
  if (!channel.ok()) {
    err << "clearmatch review: " << channel.status().message() << "\n";
    return kExitUsage;
  }
  auto stub = v1::Review::NewStub(*channel);
  if (sub == "list") return List(*stub, parsed, out, err);
  if (sub == "show") return Show(*stub, parsed, out, err);
  if (sub == "decide") return Decide(*stub, parsed, out, err);
  if (sub == "outbox") return Outbox(*stub, parsed, out, err);
  if (sub == "audit") return RunReviewAudit(*stub, parsed, out, err);
  if (sub == "stats") return RunReviewStats(*stub, parsed, out, err);
  return Export(*stub, parsed, out, err);
}

}  // namespace clearmatch::cli
