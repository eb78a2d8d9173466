// Writing a VideoVerdict into a Match.
#include "matching/video_verdict.h"

#include <vector>

namespace clearmatch {
namespace {

void AddRange(const VpdqTimeRange& range,
              google::protobuf::RepeatedPtrField<v1::TimeRange>* out) {
  v1::TimeRange* r = out->Add();
  r->set_start_seconds(range.start_seconds);
  r->set_end_seconds(range.end_seconds);
}

void SetRanges(const std::vector<VpdqTimeRange>& ranges,
               google::protobuf::RepeatedPtrField<v1::TimeRange>* out) {
  out->Clear();
  for (const VpdqTimeRange& range : ranges) AddRange(range, out);
}

}  // namespace

void FillVideoMatch(const VideoVerdict& verdict, v1::Match* match) {
  match->set_video_rule(verdict.rule);
  match->set_reference_rule_match(verdict.reference_rule_match);
  match->set_query_pct(verdict.comparison.query_pct);
  match->set_target_pct(verdict.comparison.target_pct);
  if (verdict.segment.has_value() && verdict.rule != v1::Match::PERCENTAGE &&
      verdict.rule != v1::Match::VIDEO_RULE_NONE) {
    match->clear_query_ranges();
    match->clear_target_ranges();
    AddRange(verdict.segment->query_range, match->mutable_query_ranges());
    AddRange(verdict.segment->target_range, match->mutable_target_ranges());
    match->set_segment_seconds(verdict.segment->query_seconds);
    return;
  }
  SetRanges(verdict.comparison.query_ranges, match->mutable_query_ranges());
  SetRanges(verdict.comparison.target_ranges, match->mutable_target_ranges());
  match->set_segment_seconds(0);
}

}  // namespace clearmatch
