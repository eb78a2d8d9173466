// VideoVerdict: the decision on one vPDQ video entry, the rule that made it
// and what it saw (docs/DAEMON.md, "Verdict rules"), and FillVideoMatch,
// which writes it into the Match the response and the review record carry.
//
//   const VideoVerdict verdict =
//       VerdictPolicy::DecideVideo(context, bank, query_frames, entry_frames);
//   if (verdict.decision != v1::ALLOW) {
//     v1::Match match = ...;  // bank, entry, decision, distance
//     FillVideoMatch(verdict, &match);
//   }
#ifndef CLEARMATCH_MATCHING_VIDEO_VERDICT_H_
#define CLEARMATCH_MATCHING_VIDEO_VERDICT_H_

#include <optional>

#include "clearmatch/v1/matcher.pb.h"
#include "hashing/vpdq_matcher.h"

namespace clearmatch {

struct VideoVerdict {
  v1::Decision decision = v1::ALLOW;
  // The rule that gave `decision`: PERCENTAGE (the reference rule, or its
  // review band), BANKED_IN_UPLOAD or UPLOAD_IN_BANKED (a segment);
  // VIDEO_RULE_NONE when the decision is ALLOW.
  v1::Match::VideoRule rule = v1::Match::VIDEO_RULE_NONE;
  // Whether the reference rule alone (the bank's vpdq_query_pct and
  // vpdq_target_pct at auto_distance) matches.
  bool reference_rule_match = false;
  // The percentage comparison: at auto_distance, or at review_distance when
  // only the review band matched. Its ranges are every matched frame's.
  VpdqMatchResult comparison;
  // The longest segment, when a segment rule gave the decision.
  std::optional<VpdqSegment> segment;
};

// Sets `match`'s video fields from `verdict`: video_rule,
// reference_rule_match, query_pct and target_pct (the comparison's), and
// the ranges: the segment's (one in each video) and segment_seconds (its
// length in the upload) for a segment rule, else the comparison's. Leaves
// the other fields (bank, entry, decision, distance, transform) alone.
void FillVideoMatch(const VideoVerdict& verdict, v1::Match* match);

}  // namespace clearmatch

#endif  // CLEARMATCH_MATCHING_VIDEO_VERDICT_H_
