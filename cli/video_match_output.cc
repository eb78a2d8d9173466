// Video rule fields of a Match, as text and JSON.
#include "cli/video_match_output.h"

#include "absl/strings/str_format.h"

namespace clearmatch::cli {
namespace {

using Ranges = google::protobuf::RepeatedPtrField<v1::TimeRange>;

std::string RangesText(const Ranges& ranges) {
  if (ranges.empty()) return "-";
  std::string text;
  for (const v1::TimeRange& range : ranges) {
    if (!text.empty()) text += ' ';
    text += absl::StrFormat("%.1f-%.1f", range.start_seconds(),
                            range.end_seconds());
  }
  return text + " s";
}

std::string RangesJson(const Ranges& ranges) {
  std::string json = "[";
  for (const v1::TimeRange& range : ranges) {
    if (json.size() > 1) json += ",";
    json += JsonObjectWriter()
                .AddFixed("start", range.start_seconds(), 3)
                .AddFixed("end", range.end_seconds(), 3)
                .Finish();
  }
  return json + "]";
}

bool IsSegmentRule(const v1::Match& match) {
  return match.video_rule() == v1::Match::BANKED_IN_UPLOAD ||
         match.video_rule() == v1::Match::UPLOAD_IN_BANKED;
}

}  // namespace

std::string VideoMatchText(const v1::Match& match) {
  if (match.video_rule() == v1::Match::VIDEO_RULE_NONE) return "";
  std::string text =
      absl::StrFormat(", %s, reference rule %s, query_pct %.1f target_pct %.1f",
                      v1::Match::VideoRule_Name(match.video_rule()),
                      match.reference_rule_match() ? "yes" : "no",
                      match.query_pct(), match.target_pct());
  if (IsSegmentRule(match)) {
    text += absl::StrFormat(", segment %.1f s", match.segment_seconds());
  }
  return text + ", upload " + RangesText(match.query_ranges()) + ", banked " +
         RangesText(match.target_ranges());
}

void AddVideoMatchJson(const v1::Match& match, JsonObjectWriter& json) {
  if (match.video_rule() == v1::Match::VIDEO_RULE_NONE) return;
  json.Add("video_rule", v1::Match::VideoRule_Name(match.video_rule()))
      .AddRaw("reference_rule_match",
              match.reference_rule_match() ? "true" : "false")
      .AddFixed("query_pct", match.query_pct(), 2)
      .AddFixed("target_pct", match.target_pct(), 2);
  if (IsSegmentRule(match)) {
    json.AddFixed("segment_seconds", match.segment_seconds(), 3);
  }
  json.AddRaw("query_ranges", RangesJson(match.query_ranges()))
      .AddRaw("target_ranges", RangesJson(match.target_ranges()));
}

}  // namespace clearmatch::cli
