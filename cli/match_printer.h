// MatchPrinter: what `clearmatch match` prints for each query: its matches
// (with each one's decision) and the query's verdict, as text or JSON lines
// (RunMatchCommand in cli/command.h gives the format).
// Thread-compatible; borrows the streams.
#ifndef CLEARMATCH_CLI_MATCH_PRINTER_H_
#define CLEARMATCH_CLI_MATCH_PRINTER_H_

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "clearmatch/v1/matcher.pb.h"

namespace clearmatch::cli {

class MatchPrinter {
 public:
  MatchPrinter(bool json, std::ostream& out, std::ostream& err)
      : json_(json), out_(out), err_(err) {}

  // Every match of `query`, then its decision.
  void Verdict(const std::string& query, const std::vector<v1::Match>& matches,
               v1::Decision decision);
  // A query that could not be matched.
  void Error(const std::string& query, absl::string_view message);

 private:
  void Match(const std::string& query, const v1::Match& match);

  const bool json_;
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_MATCH_PRINTER_H_
