// How the CLI prints a vPDQ entry's match (`clearmatch check`, `rescan` and
// `match`): the video rule that matched, whether the reference rule alone
// would have, the percentages, the segment's length and the time ranges in
// both videos (docs/DAEMON.md, "Videos").
//
//   text += VideoMatchText(match);
//   // ", UPLOAD_IN_BANKED, reference rule no, query_pct 100.0 target_pct
//   //  14.7, segment 5.0 s, upload 0.0-4.0 s, banked 10.0-14.0 s"
//   AddVideoMatchJson(match, json);
//
// Matches without a video rule (images, digests) print nothing more.
#ifndef CLEARMATCH_CLI_VIDEO_MATCH_OUTPUT_H_
#define CLEARMATCH_CLI_VIDEO_MATCH_OUTPUT_H_

#include <string>

#include "clearmatch/v1/matcher.pb.h"
#include "cli/json_writer.h"

namespace clearmatch::cli {

// ", <rule>, reference rule yes|no, query_pct P target_pct P[, segment S
// s], upload A-B[ C-D...] s, banked A-B[...] s"; "" without a video rule.
std::string VideoMatchText(const v1::Match& match);

// Adds video_rule, reference_rule_match, query_pct, target_pct,
// segment_seconds (segment rules only), query_ranges and target_ranges
// ([{"start": s, "end": s}, ...]) to `json`; nothing without a video rule.
void AddVideoMatchJson(const v1::Match& match, JsonObjectWriter& json);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_VIDEO_MATCH_OUTPUT_H_
