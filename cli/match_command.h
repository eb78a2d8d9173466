// `clearmatch match --bank FILE.csv [--max-distance 31] [--dihedral] [--json]
//  (MEDIA... | --hashes FILE)`: the offline matcher. Loads a bank CSV (see
// index/bank_csv.h), then looks up media files (PDQ within the distance,
// plus exact MD5 / SHA-1 / SHA-256 of the file) or a file of PDQ hex
// hashes, one per line (`#` comments and blank lines skipped).
//
// One line per hit. Plain:
//   <query>: <hash_type> match <entry_id> bank <bank> distance <d>
//   (<transform>)
// --json: {"query", "entry_id", "bank", "hash_type", "distance", "transform"}
// where query is the media path as given or the query hash in lowercase hex,
// and transform is the dihedral variant that matched ("original" without
// --dihedral, and for exact and --hashes hits). A failing query prints an
// error (JSON: {"query", "error"}), the others still run.
// Exit code: 0 ran (hits or not), 1 a query or the bank failed, 2 usage.
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
