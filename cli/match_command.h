// `clearmatch match --bank FILE.csv [--config clearmatchd.textproto]
//  [--context upload|rescan] [--max-distance 0..31]
//  [--dihedral | --no-dihedral] [--json] (MEDIA... | --hashes FILE)`:
// the offline matcher, with the daemon's own matching core (matching/), so
// that it decides as clearmatchd's Check does for the same bank and input.
// Loads a bank CSV (see bank/bank_csv.h) and the policies of a daemon
// config (its default_policy and banks[]; the defaults without --config),
// then matches media files (PDQ or vPDQ frames, and the exact MD5 / SHA-1 /
// SHA-256 of the file) or a file of PDQ hashes, one "HEX[,QUALITY]" per line
// (`#` comments and blank lines skipped; no quality counts as 0, as in a
// request, so such a hash is at most REVIEW). --context picks the action
// (upload: the bank's upload_action, BLOCK by default; rescan: TAKEDOWN).
// --dihedral / --no-dihedral force rotated and mirrored variants on or off
// (by default each bank's policy decides, as for a request). --max-distance
// narrows the PDQ search below the policy's.
//
// Per query, one line per match it is not allowed by, then its verdict.
// Plain:
//   <query>: <hash_type> match <entry_id> bank <bank> distance <d>
//   (<transform>) <DECISION>[ shadow]
//   <query>: decision <DECISION> (<n> matches)
// --json: {"query", "entry_id", "bank", "category", "hash_type", "distance",
// "transform", "decision", "shadow"} per match, then {"query", "decision",
// "matches"}, where query is the media path as given or the query hash in
// lowercase hex, and transform the dihedral variant that matched
// ("original" for exact and --hashes hits). A failing query prints an error
// (JSON: {"query", "error"}), the others still run.
// Exit code: 0 ran (matches or not), 1 a query, the bank or the config
// failed, 2 usage.
#ifndef CLEARMATCH_CLI_MATCH_COMMAND_H_
#define CLEARMATCH_CLI_MATCH_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace clearmatch::cli {

int RunMatchCommand(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_MATCH_COMMAND_H_
