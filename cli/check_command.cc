// `clearmatch check`: verdicts from a running daemon.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "cli/command.h"
#include "cli/daemon_channel.h"
#include "cli/json_writer.h"
#include "cli/matcher_client.h"
#include "cli/verdict_output.h"

namespace clearmatch::cli {
namespace {

// Files above this go through the CheckUpload stream.
constexpr size_t kUnaryLimit = 8 << 20;
constexpr size_t kChunkBytes = 1 << 20;

std::string Usage() {
  return absl::StrCat(
      "usage: clearmatch check [--context upload|rescan] [--json] "
      "[--no-trim] [--deadline-ms N]\n"
      "                        ",
      kDaemonChannelUsage, " FILE...\n");
}

struct CheckOptions {
  DaemonChannelFlags daemon;
  v1::Context context = v1::UPLOAD;
  bool json = false;
  // --no-trim: match the media as it is only (CheckOptions.trim TRIM_OFF).
  bool no_trim = false;
  int deadline_ms = 60000;
  std::vector<std::string> files;
};

// Stores the value of --context or --deadline-ms (args[*i] is the flag) and
// moves *i onto it; false (the error printed) for a bad value.
bool ConsumeValue(const std::vector<std::string>& args, size_t* i,
                  CheckOptions* options, std::ostream& err) {
  const bool context = args[*i] == "--context";
  const std::string& value = args[++*i];
  if (context) {
    if (value == "upload" || value == "rescan") {
      options->context = value == "upload" ? v1::UPLOAD : v1::RESCAN;
      return true;
    }
    err << "clearmatch check: --context must be upload or rescan, not " << value
        << "\n";
    return false;
  }
  options->deadline_ms = std::atoi(value.c_str());
  if (options->deadline_ms > 0) return true;
  err << "clearmatch check: --deadline-ms must be a positive number\n";
  return false;
}

// The options of `args`, or nullopt with the usage error printed to `err`.
std::optional<CheckOptions> ParseCheckArgs(const std::vector<std::string>& args,
                                           std::ostream& err) {
  CheckOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::StatusOr<bool> consumed =
        ConsumeDaemonChannelFlag(args, &i, &options.daemon);
    if (!consumed.ok()) {
      err << "clearmatch check: " << consumed.status().message() << "\n"
          << Usage();
      return std::nullopt;
    }
    if (*consumed) continue;
    const std::string& arg = args[i];
    const bool has_value = i + 1 < args.size();
    if (arg == "--json") {
      options.json = true;
    } else if (arg == "--no-trim") {
      options.no_trim = true;
    } else if ((arg == "--context" || arg == "--deadline-ms") && has_value) {
      if (!ConsumeValue(args, &i, &options, err)) return std::nullopt;
    } else if (arg.size() > 1 && arg[0] == '-') {
      err << "clearmatch check: unknown or incomplete option " << arg << "\n"
          << Usage();
      return std::nullopt;
    } else {
      options.files.push_back(arg);
    }
  }
  if (options.files.empty()) {
    err << Usage();
    return std::nullopt;
  }
  return options;
}

// Sends `bytes` as a header and kChunkBytes chunks on CheckUpload.
grpc::Status CheckUpload(v1::Matcher::Stub& stub, grpc::ClientContext* ctx,
                         const std::string& path, const CheckOptions& options,
                         const std::string& bytes,
                         v1::CheckResponse* response) {
  std::unique_ptr<grpc::ClientWriter<v1::UploadChunk>> writer =
      stub.CheckUpload(ctx, response);
  v1::UploadChunk chunk;
  v1::UploadHeader* header = chunk.mutable_header();
  header->set_content_id(path);
  header->set_context(options.context);
  header->set_declared_size(bytes.size());
  if (options.no_trim) {
    header->mutable_options()->set_trim(v1::CheckOptions::TRIM_OFF);
  }
  bool ok = writer->Write(chunk);
  for (size_t offset = 0; ok && offset < bytes.size(); offset += kChunkBytes) {
    chunk.Clear();
    chunk.set_data(bytes.substr(offset, kChunkBytes));
    ok = writer->Write(chunk);
  }
  writer->WritesDone();
  return writer->Finish();
}

// The verdict on one file: Check, or CheckUpload above kUnaryLimit.
grpc::Status CheckFile(v1::Matcher::Stub& stub, const std::string& path,
                       const CheckOptions& options,
                       v1::CheckResponse* response) {
  std::optional<std::string> bytes = ReadMediaFile(path);
  if (!bytes.has_value()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "cannot open the file");
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(options.deadline_ms));
  if (bytes->size() > kUnaryLimit) {
    return CheckUpload(stub, &ctx, path, options, *bytes, response);
  }
  v1::CheckRequest request;
  request.set_content_id(path);
  request.set_context(options.context);
  request.set_media(*std::move(bytes));
  if (options.no_trim) {
    request.mutable_options()->set_trim(v1::CheckOptions::TRIM_OFF);
  }
  return stub.Check(&ctx, request, response);
}

// A failed call: a JSON line on `out` with --json, else a line on `err`.
void PrintCallError(const CheckOptions& options, const std::string& file,
                    const grpc::Status& status, std::ostream& out,
                    std::ostream& err) {
  const std::string message = DaemonCallError(options.daemon, status);
  if (!options.json) {
    err << file << ": error: " << message << "\n";
    return;
  }
  JsonObjectWriter json;
  json.Add("file", file).Add("error", message);
  json.Add("code", static_cast<int>(status.error_code()));
  out << json.Finish() << "\n";
}

}  // namespace

int RunCheckCommand(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err) {
  const std::optional<CheckOptions> options = ParseCheckArgs(args, err);
  if (!options.has_value()) return kExitUsage;
  absl::StatusOr<std::unique_ptr<v1::Matcher::Stub>> stub =
      ConnectMatcher(options->daemon);
  if (!stub.ok()) {
    err << "clearmatch check: " << stub.status().message() << "\n";
    return kExitUsage;
  }
  int exit_code = kExitOk;
  for (const std::string& file : options->files) {
    v1::CheckResponse response;
    const grpc::Status status = CheckFile(**stub, file, *options, &response);
    if (!status.ok()) {
      exit_code = kExitInputFailed;
      PrintCallError(*options, file, status, out, err);
    } else if (options->json) {
      out << CheckResponseJson(response, file) << "\n";
    } else {
      out << CheckResponseText(response, file) << "\n";
    }
  }
  return exit_code;
}

}  // namespace clearmatch::cli
