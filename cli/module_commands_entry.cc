// The entry point of libclearmatch_cli_commands.so (see module_commands.h).
#include <string_view>

#include "cli/command.h"
#include "cli/module_commands.h"

extern "C" __attribute__((visibility("default"))) clearmatch::cli::CommandFn
clearmatch_cli_command_v1(const char* name) {
  namespace cli = clearmatch::cli;
  const std::string_view command = name;
  if (command == "match") return cli::RunMatchCommand;
  if (command == "feed") return cli::RunFeedCommand;
  if (command == "check") return cli::RunCheckCommand;
  if (command == "rescan") return cli::RunRescanCommand;
  if (command == "review") return cli::RunReviewCommand;
  if (command == "source") return cli::RunSourceCommand;
  if (command == "health") return cli::RunHealthCommand;
  return nullptr;
}

static_assert(std::is_same_v<decltype(&clearmatch_cli_command_v1),
                             clearmatch::cli::FindModuleCommandFn>);
