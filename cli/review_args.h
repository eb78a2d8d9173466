// What every `clearmatch review` subcommand shares: its parsed arguments
// (flags, the daemon's address and TLS flags, positionals), the --since /
// --until and count flags, a call with its deadline and how its failure is
// reported, and the JSON and time formats of the output.
//
//   ReviewArgs args;
//   if (!ParseReviewArgs(argv, 1, &args, err)) return kExitUsage;
//   v1::GetStatsRequest request;
//   if (!ReviewTimeRangeOf(args, &request, err)) return kExitUsage;
//   v1::ReviewStats stats;
//   if (!CallReview(args, stub, &v1::Review::StubInterface::GetStats,
//                   request, &stats, err)) {
//     return kExitInputFailed;
//   }
#ifndef CLEARMATCH_CLI_REVIEW_ARGS_H_
#define CLEARMATCH_CLI_REVIEW_ARGS_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "clearmatch/v1/review.grpc.pb.h"
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

// ReviewTimeRange into the request's start_unix_micros and
// end_unix_micros.
template <typename Request>
bool ReviewTimeRangeOf(const ReviewArgs& args, Request* request,
                       std::ostream& err) {
  int64_t since = 0, until = 0;
  if (!ReviewTimeRange(args, &since, &until, err)) return false;
  request->set_start_unix_micros(since);
  request->set_end_unix_micros(until);
  return true;
}

// Sets the deadline of one Review call.
void SetReviewDeadline(grpc::ClientContext& context);

// Prints the daemon's error, with its gRPC code.
void PrintReviewCallError(const ReviewArgs& args, const grpc::Status& status,
                          std::ostream& err);

// Calls the Review RPC `method` of `stub` with the deadline; false after
// printing the daemon's error (the command then exits kExitInputFailed).
template <typename Request, typename Response>
bool CallReview(const ReviewArgs& args, v1::Review::StubInterface& stub,
                grpc::Status (v1::Review::StubInterface::*method)(
                    grpc::ClientContext*, const Request&, Response*),
                const Request& request, Response* response, std::ostream& err) {
  grpc::ClientContext context;
  SetReviewDeadline(context);
  const grpc::Status status = (stub.*method)(&context, request, response);
  if (!status.ok()) PrintReviewCallError(args, status, err);
  return status.ok();
}

// `message` in protobuf's JSON mapping with the proto field names, one line.
std::string ReviewJson(const google::protobuf::Message& message);

// Unix microseconds as "2026-12-02T01:02:03Z".
std::string ReviewTimeText(int64_t micros);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_REVIEW_ARGS_H_
