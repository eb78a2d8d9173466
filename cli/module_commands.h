// The commands that live in the shared module libclearmatch_cli_commands.so
// (match, feed, check, rescan, review: FAISS, libcurl, SQLite and gRPC),
// loaded only when one of them runs, so that `clearmatch --help`, `hash` and
// `compare` start without those libraries (docs/PERFORMANCE.md, start-up).
#ifndef CLEARMATCH_CLI_MODULE_COMMANDS_H_
#define CLEARMATCH_CLI_MODULE_COMMANDS_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "cli/command.h"

namespace clearmatch::cli {

inline constexpr char kCommandsModuleFile[] = "libclearmatch_cli_commands.so";
inline constexpr char kCommandsModuleEntry[] = "clearmatch_cli_command_v1";

// The entry point's type: the command named `name`, or nullptr.
using FindModuleCommandFn = CommandFn (*)(const char* name);

// The module's command `name`, loading the module on first use.
// FAILED_PRECONDITION when the module cannot be loaded; NOT_FOUND when it
// has no such command.
absl::StatusOr<CommandFn> LoadModuleCommand(std::string_view name);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_MODULE_COMMANDS_H_
