// What every `clearmatch review` subcommand shares: its parsed arguments
// (flags, the daemon's address and TLS flags, positionals), the --since /
// --until and count flags, the deadline of a call, how a failed call is
// reported, and the JSON and time formats of the output.
//
//   ReviewArgs args;
//   if (!ParseReviewArgs(argv, 1, &args, err)) return kExitUsage;
//   int64_t since = 0, until = 0;
//   if (!ReviewTimeRange(args, &since, &until, err)) return kExitUsage;
#ifndef CLEARMATCH_CLI_REVIEW_ARGS_H_
#define CLEARMATCH_CLI_REVIEW_ARGS_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/daemon_channel.h"
#include "google/protobuf/message.h"

namespace clearmatch::cli {

// Flags (--name value, or --name for the boolean ones), the daemon's
// address and TLS flags, and positionals.
struct ReviewArgs {
  std::map<std::string, std::string> flags;
  DaemonChannelFlags daemon = LocalDaemonChannelFlags();
  std::vector<std::string> positional;

  bool Has(const std::string& flag) const { return flags.count(flag) > 0; }
  // The flag's value, or nullptr when it was not given.
  const std::string* Find(const std::string& flag) const;
};

// Parses args[from...] into `args`. False (after printing why: an unknown
// option, a flag without its value, a bad daemon flag) on a usage error.
bool ParseReviewArgs(const std::vector<std::string>& argv, size_t from,
                     ReviewArgs* args, std::ostream& err);

// --since and --until (unix seconds, both optional) as unix microseconds
// (0 when absent); false after printing the usage error.
bool ReviewTimeRange(const ReviewArgs& args, int64_t* since_micros,
                     int64_t* until_micros, std::ostream& err);

// The positive number of `flag` (std::nullopt when absent); false after
// printing "<flag> must be a positive number" when it is anything else.
bool ReviewPositiveFlag(const ReviewArgs& args, const char* flag,
                        std::optional<int64_t>* value, std::ostream& err);

// Sets the deadline of one Review call.
void SetReviewDeadline(grpc::ClientContext& context);

// Prints the daemon's error, with its gRPC code, and returns the exit code
// of a failed call.
int ReviewCallFailed(const ReviewArgs& args, const grpc::Status& status,
                     std::ostream& err);

// `message` in protobuf's JSON mapping with the proto field names, one line.
std::string ReviewJson(const google::protobuf::Message& message);

// Unix microseconds as "2026-12-02T01:02:03Z".
std::string ReviewTimeText(int64_t micros);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_REVIEW_ARGS_H_
