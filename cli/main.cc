// clearmatch: the command-line tool (hash media, match against a bank,
// compare, publish and sync feeds, talk to clearmatchd). Dispatches to one
// command per file. hash and compare are built in; the other commands live
// in a module loaded only when one of them runs (cli/module_commands.h).
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"
#include "cli/module_commands.h"

namespace {

struct Command {
  std::string_view name;
  clearmatch::cli::CommandFn run;  // nullptr: in the commands module
  std::string_view summary;
};

constexpr Command kCommands[] = {
    {"hash", clearmatch::cli::RunHashCommand,
     "print PDQ / vPDQ, MD5, SHA-1 and SHA-256 of media files"},
    {"compare", clearmatch::cli::RunCompareCommand,
     "how alike two images, two videos, or an image and a video are"},
    {"match", nullptr, "match media or PDQ hashes against a bank CSV"},
    {"feed", nullptr, "keygen | publish | verify | sync a signed hash feed"},
    {"check", nullptr, "ask a running clearmatchd for the verdict on media"},
    {"rescan", nullptr,
     "stream a listing of existing content through clearmatchd (resumable)"},
    {"review", nullptr,
     "list | show | decide | export matches; outbox, audit trail, stats; "
     "verify-audit a review store"},
    {"source", nullptr,
     "check the clearinghouse sources of a config; status of every source"},
    {"health", nullptr,
     "ask a running clearmatchd whether it serves (for probes)"},
};

int Usage(std::ostream& out) {
  out << "usage: clearmatch COMMAND [ARGS...]\n\ncommands:\n";
  for (const Command& command : kCommands) {
    out << "  " << command.name << "\t" << command.summary << "\n";
  }
  return clearmatch::cli::kExitUsage;
}

int Run(const Command& command, const std::vector<std::string>& args) {
  if (command.run != nullptr) return command.run(args, std::cout, std::cerr);
  absl::StatusOr<clearmatch::cli::CommandFn> run =
      clearmatch::cli::LoadModuleCommand(command.name);
  if (!run.ok()) {
    std::cerr << "clearmatch: " << run.status().message() << "\n";
    return clearmatch::cli::kExitInputFailed;
  }
  return (*run)(args, std::cout, std::cerr);
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
    if (command.name == name) return Run(command, args);
  }
  std::cerr << "clearmatch: unknown command " << name << "\n";
  return Usage(std::cerr);
}
