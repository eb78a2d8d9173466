// `clearmatch rescan --listing FILE [--addr HOST:PORT] [--tls-ca PEM
// [--tls-cert PEM --tls-key PEM]] [--concurrency N] [--resume STATE]
// [--out FILE]`: checks every file of a listing in the RESCAN context
// through one CheckStream (daemon flags: cli/daemon_channel.h).
//
// The listing has one "content_id,path" line per item ('#' comments and
// blank lines skipped; content ids must be unique). Verdicts are written as
// JSON lines (see CheckResponseJson) to --out (default standard output);
// progress goes to standard error. Up to N requests (default 4) are in
// flight; an item the daemon refused as overloaded is sent again (up to 5
// times). With --resume, every finished content id is appended to STATE and
// the ids already there are skipped, so an interrupted rescan continues
// where it stopped. Exit code 1 if an item failed.
#ifndef CLEARMATCH_CLI_RESCAN_COMMAND_H_
#define CLEARMATCH_CLI_RESCAN_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace clearmatch::cli {

int RunRescanCommand(const std::vector<std::string>& args, std::ostream& out,
                     std::ostream& err);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_RESCAN_COMMAND_H_
