// `clearmatch feed keygen|publish|verify|sync`: the signed hash feed from
// the command line (docs/FEED_PROTOCOL.md).
//
//   clearmatch feed keygen --out DIR
//       writes DIR/private.pem (mode 0600) and DIR/public.pem
//   clearmatch feed publish --key DIR/private.pem --feed-dir FEED
//       [--add FILE.csv] [--remove FILE.csv] [--expires-in DURATION]
//       [--feed-id ID] [--snapshot] [--keep-deltas N]
//       appends one delta (CSV lines hash_type,hash,entry_id,bank,category;
//       for --remove the entry ids matter) and re-signs the manifest.
//       DURATION: e.g. 7d, 36h, 90m (default 7d).
//   clearmatch feed verify --pubkey public.pem (FEED_DIR | URL)
//       checks the signature, expiry and every listed file.
//   clearmatch feed sync --url URL --pubkey public.pem --store FILE.sqlite
//       [--feed-id ID]
//       checks the store's integrity, applies what is new, prints it.
// Exit codes as in cli/command.h.
#ifndef CLEARMATCH_CLI_FEED_COMMAND_H_
#define CLEARMATCH_CLI_FEED_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace clearmatch::cli {

int RunFeedCommand(const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_FEED_COMMAND_H_
