// `clearmatch check [--addr HOST:PORT] [--context upload|rescan] [--json]
// [--deadline-ms N] [--tls-ca PEM [--tls-cert PEM --tls-key PEM]] FILE...`:
// asks a running clearmatchd for the verdict on each file (Check, or
// CheckUpload for files over 8 MiB). --tls-ca: TLS trusting that CA (else
// plaintext); --tls-cert/--tls-key: the client certificate for mTLS (daemon
// flags: cli/daemon_channel.h).
//
// Plain output, one line per file: "<DECISION> <file>" followed by
// " bank/entry_id (hash_type, distance d, transform)" per match. --json: one
// object per line with file, content_id, decision, snapshot_version,
// request_id and matches. A file that fails prints an error (the others
// still run) and the exit code is 1; the daemon unreachable is also 1.
#ifndef CLEARMATCH_CLI_CHECK_COMMAND_H_
#define CLEARMATCH_CLI_CHECK_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace clearmatch::cli {

int RunCheckCommand(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_CHECK_COMMAND_H_
