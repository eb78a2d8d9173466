// Plain and JSON lines for Matcher verdicts.
#include "cli/verdict_output.h"

#include <cstdint>

#include "cli/json_writer.h"
#include "cli/video_match_output.h"

namespace clearmatch::cli {
namespace {

std::string MatchText(const v1::Match& match) {
  std::string text = " " + match.bank() + "/" + match.entry_id() + " (" +
                     match.hash_type() + ", distance " +
                     std::to_string(match.distance());
  if (!match.transform().empty() && match.transform() != "original") {
    text += ", " + match.transform();
  }
  if (match.decision() != v1::DECISION_UNSPECIFIED) {
    text += ", " + v1::Decision_Name(match.decision());
  }
  if (match.shadow()) text += ", shadow";
  return text + VideoMatchText(match) + ")";
}

std::string MatchJson(const v1::Match& match) {
  JsonObjectWriter json;
  json.Add("bank", match.bank())
      .Add("entry_id", match.entry_id())
      .Add("hash_type", match.hash_type())
      .Add("category", match.category())
      .Add("distance", match.distance())
      .Add("decision", v1::Decision_Name(match.decision()));
  if (!match.transform().empty()) json.Add("transform", match.transform());
  if (match.shadow()) json.AddRaw("shadow", "true");
  AddVideoMatchJson(match, json);
  return json.Finish();
}

}  // namespace

std::string CheckResponseText(const v1::CheckResponse& response,
                              std::string_view file) {
  std::string text = v1::Decision_Name(response.decision());
  text += ' ';
  text += file;
  for (const v1::Match& match : response.matches()) {
    text += MatchText(match);
  }
  return text;
}

std::string CheckResponseJson(const v1::CheckResponse& response,
                              std::string_view file) {
  JsonObjectWriter json;
  if (!file.empty()) json.Add("file", file);
  json.Add("content_id", response.content_id());
  if (response.has_error()) {
    json.Add("error", response.error().message());
    json.Add("code", response.error().code());
    return json.Finish();
  }
  json.Add("decision", v1::Decision_Name(response.decision()));
  json.Add("snapshot_version",
           static_cast<int64_t>(response.snapshot_version()));
  json.Add("request_id", response.request_id());
  std::string matches = "[";
  for (const v1::Match& match : response.matches()) {
    if (matches.size() > 1) matches += ",";
    matches += MatchJson(match);
  }
  json.AddRaw("matches", matches + "]");
  return json.Finish();
}

}  // namespace clearmatch::cli
