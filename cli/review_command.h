// `clearmatch review SUBCOMMAND`: reviewers' commands against a running
// clearmatchd (Review service), and an offline audit check:
//
//   clearmatch review list [DAEMON] [--status pending|decided]
//       [--bank B] [--outcome confirmed|false-positive|escalated]
//       [--since UNIX_SECONDS] [--until UNIX_SECONDS] [--page-size N]
//       [--page-token T] [--json]
//   clearmatch review show [DAEMON] MATCH_ID
//   clearmatch review decide [DAEMON] MATCH_ID
//       confirmed|false-positive|escalated [--reviewer NAME] [--note TEXT]
//       [--override]
//   clearmatch review export [DAEMON] [--since S] [--until S]
//   clearmatch review verify-audit --store FILE
//
// DAEMON: [--addr HOST:PORT] [--tls-ca PEM [--tls-cert PEM --tls-key PEM]]
// (cli/daemon_channel.h).
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
