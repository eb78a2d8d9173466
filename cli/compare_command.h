// `clearmatch compare [--json] A B`: how alike two media files are.
//
// - two images: the PDQ distance, and the dihedral variant of A closest to B
//   (so a rotated or mirrored copy shows as e.g. "rot90, distance 4");
// - two videos: vPDQ query_pct (A's frames found in B), target_pct (B's
//   frames found in A), whether that is a match under the default rule
//   (query_pct >= 80), and the matched time ranges on both sides;
// - an image and a video (either order): the video's frames within PDQ
//   distance 31 of the image, as frames and time ranges.
// Exit code 0 when both files were compared, 1 when one could not be read or
// hashed, 2 on usage errors.
#ifndef CLEARMATCH_CLI_COMPARE_COMMAND_H_
#define CLEARMATCH_CLI_COMPARE_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace clearmatch::cli {

int RunCompareCommand(const std::vector<std::string>& args, std::ostream& out,
                      std::ostream& err);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_COMPARE_COMMAND_H_
