// --addr of `clearmatch rescan` to one channel target per daemon.
#include "cli/rescan_targets.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace clearmatch::cli {
namespace {

constexpr absl::string_view kDnsScheme = "dns:///";

struct AddrInfoDeleter {
  void operator()(addrinfo* info) const { freeaddrinfo(info); }
};

// "1.2.3.4:50051" or "[::1]:50051" of one resolved address.
std::string HostPort(const addrinfo& info, absl::string_view port) {
  char host[NI_MAXHOST] = {};
  if (getnameinfo(info.ai_addr, info.ai_addrlen, host, sizeof(host), nullptr, 0,
                  NI_NUMERICHOST) != 0) {
    return "";
  }
  if (info.ai_family == AF_INET6) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

// Every address of dns:///NAME:PORT, in the resolver's order.
absl::StatusOr<std::vector<std::string>> ResolveDnsTarget(
    absl::string_view target, std::string* name) {
  absl::string_view rest = target.substr(kDnsScheme.size());
  const size_t colon = rest.rfind(':');
  if (colon == absl::string_view::npos || colon == 0 ||
      colon + 1 == rest.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--addr ", target, ": a dns:/// target needs NAME:PORT"));
  }
  *name = std::string(rest.substr(0, colon));
  const std::string port(rest.substr(colon + 1));
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int error = getaddrinfo(name->c_str(), port.c_str(), &hints, &found);
  if (error != 0) {
    return absl::UnavailableError(absl::StrCat("--addr ", target,
                                               ": cannot resolve ", *name, ": ",
                                               gai_strerror(error)));
  }
  std::unique_ptr<addrinfo, AddrInfoDeleter> owner(found);
  std::vector<std::string> addresses;
  absl::flat_hash_set<std::string> seen;
  for (const addrinfo* info = found; info != nullptr; info = info->ai_next) {
    std::string address = HostPort(*info, port);
    if (!address.empty() && seen.insert(address).second) {
      addresses.push_back(std::move(address));
    }
  }
  if (addresses.empty()) {
    return absl::UnavailableError(absl::StrCat("--addr ", target, ": ", *name,
                                               " resolves to no address"));
  }
  return addresses;
}

}  // namespace

absl::StatusOr<std::vector<DaemonChannelFlags>> ResolveRescanTargets(
    const DaemonChannelFlags& flags) {
  std::vector<std::string> addresses;
  std::string tls_name;
  if (absl::StartsWith(flags.addr, kDnsScheme)) {
    absl::StatusOr<std::vector<std::string>> resolved =
        ResolveDnsTarget(flags.addr, &tls_name);
    if (!resolved.ok()) return resolved.status();
    addresses = *std::move(resolved);
  } else {
    absl::flat_hash_set<std::string> seen;
    for (absl::string_view item : absl::StrSplit(flags.addr, ',')) {
      item = absl::StripAsciiWhitespace(item);
      if (item.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--addr ", flags.addr, ": an empty address"));
      }
      if (!seen.insert(std::string(item)).second) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--addr ", flags.addr, ": ", item, " is listed twice"));
      }
      addresses.emplace_back(item);
    }
  }
  if (addresses.size() > kMaxRescanTargets) {
    return absl::InvalidArgumentError(
        absl::StrCat("--addr ", flags.addr, ": ", addresses.size(),
                     " daemons; at most ", kMaxRescanTargets));
  }
  std::vector<DaemonChannelFlags> targets;
  for (std::string& address : addresses) {
    DaemonChannelFlags target = flags;
    target.addr = std::move(address);
    target.tls_target_name = tls_name;
    targets.push_back(std::move(target));
  }
  return targets;
}

}  // namespace clearmatch::cli
