// `clearmatch review audit` and `clearmatch review stats`: the audit trail
// and the decision statistics of a running clearmatchd (Review.ListAudit,
// Review.GetStats), as the reviewers' web page shows them. Dispatched by
// RunReviewCommand (cli/command.h) with the stub of the daemon's channel.
//
//   clearmatch review audit [DAEMON] [--match MATCH_ID] [--since UNIX_S]
//       [--until UNIX_S] [--limit N] [--json]
//     Every page of the trail (of one match with --match), oldest first;
//     the rows at or after --since and before --until (their time is
//     filtered here: ListAudit has no time range), at most --limit of them.
//     One line per row:
//       <seq> <time> <actor> <kind> match <id>|- <summary>
//     where the summary is what the row holds of the outcome, the
//     allowlist pair (bank/entry content_key) and the quoted note; --json:
//     one AuditEntry per line in protobuf's JSON mapping.
//   clearmatch review stats [DAEMON] [--since UNIX_S] [--until UNIX_S]
//       [--json]
//     The decisions made in the range: counts and time to the first
//     decision, the queue's size and age, then tables of the latest
//     decisions per UTC day and per bank, one column per outcome; --json:
//     the ReviewStats as one JSON line.
// Exit codes as in cli/command.h: 2 for a bad flag (the message names it),
// 1 when the call failed (the daemon's code and message).
#ifndef CLEARMATCH_CLI_REVIEW_REPORT_COMMANDS_H_
#define CLEARMATCH_CLI_REVIEW_REPORT_COMMANDS_H_

#include <ostream>

#include "clearmatch/v1/review.grpc.pb.h"
#include "cli/review_args.h"

namespace clearmatch::cli {

int RunReviewAudit(v1::Review::StubInterface& stub, const ReviewArgs& args,
                   std::ostream& out, std::ostream& err);

int RunReviewStats(v1::Review::StubInterface& stub, const ReviewArgs& args,
                   std::ostream& out, std::ostream& err);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_REVIEW_REPORT_COMMANDS_H_
