// `clearmatch source`: check the clearinghouse sources of a config, and
// show every source's status from a running daemon.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clearinghouse/clearinghouse_setup.h"
#include "clearmatch/v1/admin.grpc.pb.h"
#include "cli/command.h"
#include "cli/daemon_channel.h"
#include "config/daemon_config.h"

namespace clearmatch::cli {
namespace {

constexpr char kUsage[] =
    "usage: clearmatch source check --config FILE\n"
    "       clearmatch source status [--addr unix:PATH|HOST:PORT] [--tls-ca "
    "PEM [--tls-cert PEM --tls-key PEM]] [--json]\n"
    "  (default: the unix socket of a daemon started here with its defaults, "
    "as its own user)\n";

int RunCheck(const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err) {
  std::string config_path;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else {
      err << "clearmatch source check: unexpected argument " << args[i] << "\n"
          << kUsage;
      return kExitUsage;
    }
  }
  if (config_path.empty()) {
    err << "clearmatch source check: --config FILE is required\n" << kUsage;
    return kExitUsage;
  }
  absl::StatusOr<v1::DaemonConfig> config = LoadDaemonConfigFile(config_path);
  if (config.ok()) {
    ApplyDaemonConfigDefaults(&*config);
    if (absl::Status valid = ValidateDaemonConfig(*config); !valid.ok()) {
      config = valid;
    }
  }
  if (!config.ok()) {
    err << "clearmatch source check: " << config.status().message() << "\n";
    return kExitInputFailed;
  }
  const std::vector<ConnectionReport> reports =
      CheckClearinghouseConnections(*config);
  if (reports.empty()) {
    out << config_path << " has no ncmec_sources or stopncii_sources\n";
    return kExitOk;
  }
  int failed = 0;
  for (const ConnectionReport& report : reports) {
    out << report.kind << " source " << report.name << ": ";
    if (report.status.ok()) {
      out << "ok, " << report.who << "\n";
    } else {
      ++failed;
      out << "FAILED: " << report.status.message() << "\n";
    }
  }
  return failed == 0 ? kExitOk : kExitInputFailed;
}

std::string Counts(const google::protobuf::Map<std::string, int64_t>& map) {
  std::map<std::string, int64_t> sorted(map.begin(), map.end());
  return sorted.empty() ? "-"
                        : absl::StrJoin(sorted, " ", absl::PairFormatter("="));
}

void PrintStatus(const v1::GetStatusResponse& status, std::ostream& out) {
  out << "index: " << (status.index().serving() ? "serving" : "NOT SERVING")
      << ", version " << status.index().version() << ", "
      << status.index().size() << " entries\n";
  for (const v1::FeedStatus& feed : status.feeds()) {
    out << (feed.kind().empty() ? "signed_feed" : feed.kind()) << " "
        << feed.url() << ": " << feed.entries() << " entries ("
        << Counts(feed.entries_by_type()) << "), last sync "
        << feed.last_sync_result() << ", lag "
        << (feed.lag_seconds() < 0 ? std::string("-")
                                   : absl::StrCat(feed.lag_seconds(), " s"))
        << ", skipped " << Counts(feed.skipped()) << "\n";
  }
  for (const v1::FeedbackStatus& feedback : status.feedback()) {
    out << "feedback " << feedback.bank() << ": " << feedback.sent()
        << " sent, " << feedback.pending() << " pending, " << feedback.retried()
        << " retried, " << feedback.rejected() << " rejected\n";
  }
}

int RunStatus(const std::vector<std::string>& args, std::ostream& out,
              std::ostream& err) {
  DaemonChannelFlags flags = LocalDaemonChannelFlags();
  bool json = false;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::StatusOr<bool> consumed = ConsumeDaemonChannelFlag(args, &i, &flags);
    if (!consumed.ok()) {
      err << "clearmatch source status: " << consumed.status().message() << "\n"
          << kUsage;
      return kExitUsage;
    }
    if (*consumed) continue;
    if (args[i] != "--json") {
      err << "clearmatch source status: unexpected argument " << args[i] << "\n"
          << kUsage;
      return kExitUsage;
    }
    json = true;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      CreateDaemonChannel(flags);
  if (!channel.ok()) {
    err << "clearmatch source status: " << channel.status().message() << "\n";
    return kExitUsage;
  }
  auto stub = v1::Admin::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(30));
  v1::GetStatusResponse response;
  const grpc::Status status =
      stub->GetStatus(&context, v1::GetStatusRequest(), &response);
  if (!status.ok()) {
    err << "clearmatch source status: " << DaemonCallError(flags, status)
        << "\n";
    return kExitInputFailed;
  }
  if (json) {
    std::string text;
    (void)google::protobuf::util::MessageToJsonString(response, &text);
    out << text << "\n";
  } else {
    PrintStatus(response, out);
  }
  return kExitOk;
}

}  // namespace

int RunSourceCommand(const std::vector<std::string>& args, std::ostream& out,
                     std::ostream& err) {
  if (args.empty()) {
    err << kUsage;
    return kExitUsage;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "check") return RunCheck(rest, out, err);
  if (args[0] == "status") return RunStatus(rest, out, err);
  err << "clearmatch source: unknown subcommand " << args[0] << "\n" << kUsage;
  return kExitUsage;
}

}  // namespace clearmatch::cli
