#include "cli/module_commands.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/shared_module.h"
#include "common/status_macros.h"

namespace clearmatch::cli {

absl::StatusOr<CommandFn> LoadModuleCommand(std::string_view name) {
  CM_ASSIGN_OR_RETURN(const FindModuleCommandFn find,
                      SharedModule::LoadEntry<FindModuleCommandFn>(
                          kCommandsModuleFile, kCommandsModuleEntry));
  const std::string command_name(name);
  const CommandFn command = find(command_name.c_str());
  if (command == nullptr) {
    return absl::NotFoundError(
        absl::StrCat(kCommandsModuleFile, " has no command ", command_name));
  }
  return command;
}

}  // namespace clearmatch::cli
