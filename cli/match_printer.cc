// Text and JSON lines of `clearmatch match`.
#include "cli/match_printer.h"

#include "cli/json_writer.h"
#include "cli/video_match_output.h"

namespace clearmatch::cli {
namespace {

// Exact digests carry no transform: they match the file as it is.
std::string_view TransformOf(const v1::Match& match) {
  if (match.transform().empty()) return "original";
  return match.transform();
}

}  // namespace

void MatchPrinter::Match(const std::string& query, const v1::Match& match) {
  const std::string& decision = v1::Decision_Name(match.decision());
  if (json_) {
    JsonObjectWriter json;
    json.Add("query", query)
        .Add("entry_id", match.entry_id())
        .Add("bank", match.bank())
        .Add("category", match.category())
        .Add("hash_type", match.hash_type())
        .Add("distance", match.distance())
        .Add("transform", TransformOf(match))
        .Add("decision", decision)
        .AddRaw("shadow", match.shadow() ? "true" : "false");
    AddVideoMatchJson(match, json);
    out_ << json.Finish() << '\n';
    return;
  }
  out_ << query << ": " << match.hash_type() << " match " << match.entry_id()
       << " bank " << (match.bank().empty() ? "-" : match.bank())
       << " distance " << match.distance() << " (" << TransformOf(match) << ") "
       << decision << (match.shadow() ? " shadow" : "") << VideoMatchText(match)
       << "\n";
}

void MatchPrinter::Verdict(const std::string& query,
                           const std::vector<v1::Match>& matches,
                           v1::Decision decision) {
  for (const v1::Match& match : matches) Match(query, match);
  const std::string& name = v1::Decision_Name(decision);
  const int64_t count = static_cast<int64_t>(matches.size());
  if (json_) {
    out_ << JsonObjectWriter()
                .Add("query", query)
                .Add("decision", name)
                .Add("matches", count)
                .Finish()
         << '\n';
  } else {
    out_ << query << ": decision " << name << " (" << count << " matches)\n";
  }
}

void MatchPrinter::Error(const std::string& query, absl::string_view message) {
  if (json_) {
    out_ << JsonObjectWriter()
                .Add("query", query)
                .Add("error", std::string_view(message.data(), message.size()))
                .Finish()
         << '\n';
  } else {
    err_ << query << ": error: " << message << "\n";
  }
}

}  // namespace clearmatch::cli
