// `clearmatch health`: asks a running clearmatchd's gRPC health service
// (grpc.health.v1.Health/Check) whether it serves, for container, systemd
// and Kubernetes probes (docs/OPERATIONS.md).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/proto_utils.h>  // protobuf messages on the wire

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/synchronization/notification.h"
#include "clearmatch/v1/health_probe.pb.h"
#include "cli/command.h"
#include "cli/daemon_channel.h"

namespace clearmatch::cli {
namespace {

constexpr char kUsage[] =
    "usage: clearmatch health [--addr unix:PATH|HOST:PORT] [--tls-ca PEM "
    "[--tls-cert PEM --tls-key PEM]] [--live] [--timeout-ms N]\n"
    "  exit 0: SERVING (with --live: the health service answered at all),\n"
    "  1: not serving or not reachable, 2: usage\n";

constexpr char kCheckMethod[] = "/grpc.health.v1.Health/Check";

struct HealthFlags {
  DaemonChannelFlags channel;
  bool live = false;  // any answer counts (a loading daemon is alive)
  int timeout_ms = 5000;
};

// kExitOk, or kExitUsage after printing why.
int ParseHealthFlags(const std::vector<std::string>& args, HealthFlags* flags,
                     std::ostream& err) {
  for (size_t i = 0; i < args.size(); ++i) {
    absl::StatusOr<bool> consumed =
        ConsumeDaemonChannelFlag(args, &i, &flags->channel);
    if (!consumed.ok()) {
      err << "clearmatch health: " << consumed.status().message() << "\n"
          << kUsage;
      return kExitUsage;
    }
    if (*consumed) continue;
    if (args[i] == "--live") {
      flags->live = true;
    } else if (args[i] == "--timeout-ms" && i + 1 < args.size() &&
               absl::SimpleAtoi(args[i + 1], &flags->timeout_ms) &&
               flags->timeout_ms > 0) {
      ++i;
    } else {
      err << "clearmatch health: unexpected argument " << args[i] << "\n"
          << kUsage;
      return kExitUsage;
    }
  }
  if (absl::Status valid = ValidateDaemonChannelFlags(flags->channel);
      !valid.ok()) {
    err << "clearmatch health: " << valid.message() << "\n" << kUsage;
    return kExitUsage;
  }
  return kExitOk;
}

// One Check call; waits for its answer (bounded by the deadline).
grpc::Status CallHealthCheck(const std::shared_ptr<grpc::Channel>& channel,
                             int timeout_ms,
                             v1::HealthCheckResponse* response) {
  grpc::TemplatedGenericStub<v1::HealthCheckRequest, v1::HealthCheckResponse>
      stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(timeout_ms));
  const v1::HealthCheckRequest request;
  grpc::Status result;
  absl::Notification done;
  stub.UnaryCall(&context, kCheckMethod, grpc::StubOptions(), &request,
                 response, [&](grpc::Status status) {
                   result = std::move(status);
                   done.Notify();
                 });
  done.WaitForNotification();
  return result;
}

}  // namespace

int RunHealthCommand(const std::vector<std::string>& args, std::ostream& out,
                     std::ostream& err) {
  HealthFlags flags;
  if (const int code = ParseHealthFlags(args, &flags, err); code != kExitOk) {
    return code;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      CreateDaemonChannel(flags.channel);
  if (!channel.ok()) {
    err << "clearmatch health: " << channel.status().message() << "\n";
    return kExitUsage;
  }
  v1::HealthCheckResponse response;
  const grpc::Status status =
      CallHealthCheck(*channel, flags.timeout_ms, &response);
  if (!status.ok()) {
    err << "clearmatch health: " << DaemonCallError(flags.channel, status)
        << "\n";
    return kExitInputFailed;
  }
  out << v1::HealthCheckResponse::ServingStatus_Name(response.status()) << "\n";
  const bool serving = response.status() == v1::HealthCheckResponse::SERVING;
  return serving || flags.live ? kExitOk : kExitInputFailed;
}

}  // namespace clearmatch::cli
