// `clearmatch hash [--dihedral] [--json] [--seconds-per-hash S] [--keyframes]
// FILE...`: prints the hashes of media files ("-" reads standard input).
//
// Images, plain output, one line per file in the reference tool's CSV shape:
//   <pdq>,<quality>,<file>        (with --dihedral: 8 hashes, then quality)
// --json: one object per line with keys file, pdq, quality, md5, sha1,
// sha256 (and pdq_dihedral with --dihedral).
// Videos, plain: one line per sampled frame, "frame,quality,hash,seconds,file"
// (the reference's vPDQ line plus the file); --json: keys file, md5, sha1,
// sha256, vpdq (array of {frame, quality, pdq, seconds}). --seconds-per-hash
// (default 1, 0 = every frame) and --keyframes choose the frames. A failing
// file prints
// {"file": ..., "error": ...} (plain: "<file>: error: ..." on stderr), the
// others still run, and the exit code is 1.
#ifndef CLEARMATCH_CLI_HASH_COMMAND_H_
#define CLEARMATCH_CLI_HASH_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace clearmatch::cli {

int RunHashCommand(const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_HASH_COMMAND_H_
