// What `clearmatch check` and `clearmatch rescan` share to ask a running
// clearmatchd's Matcher service: the stub on the channel the daemon flags
// describe (cli/daemon_channel.h), and the bytes of a media file to send.
//
//   absl::StatusOr<std::unique_ptr<v1::Matcher::Stub>> stub =
//       ConnectMatcher(flags);
//   std::optional<std::string> media = ReadMediaFile(path);
#ifndef CLEARMATCH_CLI_MATCHER_CLIENT_H_
#define CLEARMATCH_CLI_MATCHER_CLIENT_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "cli/daemon_channel.h"

namespace clearmatch::cli {

// A Matcher stub on CreateDaemonChannel(flags); its errors.
absl::StatusOr<std::unique_ptr<v1::Matcher::Stub>> ConnectMatcher(
    const DaemonChannelFlags& flags);

// The whole file (any size: the daemon applies its own limits), or nullopt
// when it cannot be opened.
std::optional<std::string> ReadMediaFile(const std::string& path);

}  // namespace clearmatch::cli

#endif  // CLEARMATCH_CLI_MATCHER_CLIENT_H_
