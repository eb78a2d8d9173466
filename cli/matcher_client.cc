// The Matcher stub and media bytes for `check` and `rescan`.
#include "cli/matcher_client.h"

#include <fstream>
#include <sstream>
#include <utility>

namespace clearmatch::cli {

absl::StatusOr<std::unique_ptr<v1::Matcher::Stub>> ConnectMatcher(
    const DaemonChannelFlags& flags) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      CreateDaemonChannel(flags);
  if (!channel.ok()) return channel.status();
  return v1::Matcher::NewStub(*std::move(channel));
}

std::optional<std::string> ReadMediaFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return std::move(buffer).str();
}

}  // namespace clearmatch::cli
