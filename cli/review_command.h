// `clearmatch review SUBCOMMAND`: reviewers' commands against a running
// clearmatchd (Review service), and an offline audit check:
//
//   clearmatch review list [--addr HOST:PORT] [--status pending|decided]
//       [--bank B] [--outcome confirmed|false-positive|escalated]
//       [--since UNIX_SECONDS] [--until UNIX_SECONDS] [--page-size N]
//       [--page-token T] [--json]
//   clearmatch review show [--addr HOST:PORT] MATCH_ID
//   clearmatch review decide [--addr HOST:PORT] MATCH_ID
//       confirmed|false-positive|escalated [--reviewer NAME] [--note TEXT]
//       [--override]
//   clearmatch review export [--addr HOST:PORT] [--since S] [--until S]
//   clearmatch review verify-audit --store FILE
//
// list prints one line per match ("<id> <time> <verdict> <status>
// <content_id> bank/entry ...") and the next page token, or JSON lines;
// show prints the record as JSON; export prints one JSON line per confirmed
// match (every page); verify-audit prints the number of verified audit rows
// or the first bad row. Exit codes: 0 ok, 1 the call or check failed,
// 2 usage.
#ifndef CLEARMATCH_CLI_REVIEW_COMMAND_H_
#define CLEARMATCH_CLI_REVIEW_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace clearmatch::cli {

int RunReviewCommand(const std::vector<std::string>& args, std::ostream& out,
                     std::ostream& err);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_REVIEW_COMMAND_H_
