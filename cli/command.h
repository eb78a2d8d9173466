// The shape of a `clearmatch` subcommand: cli/main.cc dispatches
// `clearmatch NAME ARGS...` to the command registered under NAME.
//
//   int RunHashCommand(const std::vector<std::string>& args,
//                      std::ostream& out, std::ostream& err);
//
// `args` excludes the program and subcommand names. The return value is the
// process exit code: 0 success, 1 some input failed, 2 usage error.
#ifndef CLEARMATCH_CLI_COMMAND_H_
#define CLEARMATCH_CLI_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

namespace clearmatch::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInputFailed = 1;
inline constexpr int kExitUsage = 2;

using CommandFn = int (*)(const std::vector<std::string>& args,
                          std::ostream& out, std::ostream& err);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_COMMAND_H_
