// How `clearmatch check` and `clearmatch rescan` print a verdict of the
// Matcher service: one plain-text line or one JSON line per file.
//
//   out << CheckResponseText(response, "a.jpg") << "\n";
//   // BLOCK a.jpg tid/e1 (pdq, distance 4, rot90)
//   out << CheckResponseJson(response, "a.jpg") << "\n";
//   // {"file":"a.jpg","content_id":...,"decision":"BLOCK",...}
#ifndef CLEARMATCH_CLI_VERDICT_OUTPUT_H_
#define CLEARMATCH_CLI_VERDICT_OUTPUT_H_

#include <string>
#include <string_view>

#include "clearmatch/v1/matcher.pb.h"

namespace clearmatch::cli {

// "<DECISION> <file>" followed by " bank/entry_id (hash_type, distance d
// [, transform][, decision][, shadow][, video rule...])" per match (the
// video fields as cli/video_match_output.h prints them); no newline.
std::string CheckResponseText(const v1::CheckResponse& response,
                              std::string_view file);

// One JSON line (no newline) for a verdict: `file` (omitted when empty),
// content_id, decision, snapshot_version, request_id, matches (with the
// video fields of vPDQ matches), or error and code when the response
// carries an error.
std::string CheckResponseJson(const v1::CheckResponse& response,
                              std::string_view file);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_VERDICT_OUTPUT_H_
