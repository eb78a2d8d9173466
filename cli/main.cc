// clearmatch: the command-line tool (hash media, match against a bank,
// compare, publish and sync feeds). Dispatches to one command per file.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/check_command.h"
#include "cli/command.h"
#include "cli/compare_command.h"
#include "cli/feed_command.h"
#include "cli/hash_command.h"
#include "cli/match_command.h"
#include "cli/rescan_command.h"
#include "cli/review_command.h"

namespace {

struct Command {
  std::string_view name;
  clearmatch::cli::CommandFn run;
  std::string_view summary;
};

constexpr Command kCommands[] = {
    {"hash", clearmatch::cli::RunHashCommand,
     "print PDQ / vPDQ, MD5, SHA-1 and SHA-256 of media files"},
    {"compare", clearmatch::cli::RunCompareCommand,
     "how alike two images, two videos, or an image and a video are"},
    {"match", clearmatch::cli::RunMatchCommand,
     "match media or PDQ hashes against a bank CSV"},
    {"feed", clearmatch::cli::RunFeedCommand,
     "keygen | publish | verify | sync a signed hash feed"},
    {"check", clearmatch::cli::RunCheckCommand,
     "ask a running clearmatchd for the verdict on media files"},
    {"rescan", clearmatch::cli::RunRescanCommand,
     "stream a listing of existing content through clearmatchd (resumable)"},
    {"review", clearmatch::cli::RunReviewCommand,
     "list | show | decide | export matches; verify-audit a review store"},
};

int Usage(std::ostream& out) {
  out << "usage: clearmatch COMMAND [ARGS...]\n\ncommands:\n";
  for (const Command& command : kCommands) {
    out << "  " << command.name << "\t" << command.summary << "\n";
  }
  return clearmatch::cli::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage(std::cerr);
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    Usage(std::cout);
    return clearmatch::cli::kExitOk;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& command : kCommands) {
    if (command.name == name) return command.run(args, std::cout, std::cerr);
  }
  std::cerr << "clearmatch: unknown command " << name << "\n";
  return Usage(std::cerr);
}
