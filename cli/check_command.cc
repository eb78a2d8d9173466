// `clearmatch check`: verdicts from a running daemon.
#include "cli/check_command.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "clearmatch/v1/matcher.grpc.pb.h"
#include "cli/command.h"
#include "cli/daemon_channel.h"
#include "cli/json_writer.h"

namespace clearmatch::cli {
namespace {

// Files above this go through the CheckUpload stream.
constexpr size_t kUnaryLimit = 8 << 20;
constexpr size_t kChunkBytes = 1 << 20;

std::string Usage() {
  return absl::StrCat(
      "usage: clearmatch check [--context upload|rescan] [--json] "
      "[--deadline-ms N]\n"
      "                        ",
      kDaemonChannelUsage, " FILE...\n");
}

grpc::Status CheckFile(v1::Matcher::Stub& stub, const std::string& path,
                       v1::Context context, int deadline_ms,
                       v1::CheckResponse* response) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "cannot open the file");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string bytes = buffer.str();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(deadline_ms));
  if (bytes.size() <= kUnaryLimit) {
    v1::CheckRequest request;
    request.set_content_id(path);
    request.set_context(context);
    request.set_media(std::move(bytes));
    return stub.Check(&ctx, request, response);
  }
  std::unique_ptr<grpc::ClientWriter<v1::UploadChunk>> writer =
      stub.CheckUpload(&ctx, response);
  v1::UploadChunk chunk;
  v1::UploadHeader* header = chunk.mutable_header();
  header->set_content_id(path);
  header->set_context(context);
  header->set_declared_size(bytes.size());
  bool ok = writer->Write(chunk);
  for (size_t offset = 0; ok && offset < bytes.size(); offset += kChunkBytes) {
    chunk.Clear();
    chunk.set_data(bytes.substr(offset, kChunkBytes));
    ok = writer->Write(chunk);
  }
  writer->WritesDone();
  return writer->Finish();
}

std::string MatchText(const v1::Match& match) {
  std::string text = " " + match.bank() + "/" + match.entry_id() + " (" +
                     match.hash_type() + ", distance " +
                     std::to_string(match.distance());
  if (!match.transform().empty() && match.transform() != "original") {
    text += ", " + match.transform();
  }
  if (match.decision() != v1::DECISION_UNSPECIFIED) {
    text += ", " + v1::Decision_Name(match.decision());
  }
  if (match.shadow()) text += ", shadow";
  return text + ")";
}

}  // namespace

std::string CheckResponseJson(const v1::CheckResponse& response,
                              std::string_view file) {
  JsonObjectWriter json;
  if (!file.empty()) json.Add("file", file);
  json.Add("content_id", response.content_id());
  if (response.has_error()) {
    json.Add("error", response.error().message());
    json.Add("code", response.error().code());
    return json.Finish();
  }
  json.Add("decision", v1::Decision_Name(response.decision()));
  json.Add("snapshot_version",
           static_cast<int64_t>(response.snapshot_version()));
  json.Add("request_id", response.request_id());
  std::string matches = "[";
  for (const v1::Match& match : response.matches()) {
    JsonObjectWriter m;
    m.Add("bank", match.bank())
        .Add("entry_id", match.entry_id())
        .Add("hash_type", match.hash_type())
        .Add("category", match.category())
        .Add("distance", match.distance())
        .Add("decision", v1::Decision_Name(match.decision()));
    if (!match.transform().empty()) m.Add("transform", match.transform());
    if (match.shadow()) m.AddRaw("shadow", "true");
    if (matches.size() > 1) matches += ",";
    matches += m.Finish();
  }
  json.AddRaw("matches", matches + "]");
  return json.Finish();
}

int RunCheckCommand(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err) {
  DaemonChannelFlags daemon;
  v1::Context context = v1::UPLOAD;
  bool json = false;
  int deadline_ms = 60000;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::StatusOr<bool> consumed = ConsumeDaemonChannelFlag(args, &i, &daemon);
    if (!consumed.ok()) {
      err << "clearmatch check: " << consumed.status().message() << "\n"
          << Usage();
      return kExitUsage;
    }
    if (*consumed) continue;
    const std::string& arg = args[i];
    const bool has_value = i + 1 < args.size();
    if (arg == "--json") {
      json = true;
    } else if (arg == "--context" && has_value) {
      const std::string& value = args[++i];
      if (value == "upload") {
        context = v1::UPLOAD;
      } else if (value == "rescan") {
        context = v1::RESCAN;
      } else {
        err << "clearmatch check: --context must be upload or rescan, not "
            << value << "\n";
        return kExitUsage;
      }
    } else if (arg == "--deadline-ms" && has_value) {
      deadline_ms = std::atoi(args[++i].c_str());
      if (deadline_ms <= 0) {
        err << "clearmatch check: --deadline-ms must be a positive number\n";
        return kExitUsage;
      }
    } else if (arg.size() > 1 && arg[0] == '-') {
      err << "clearmatch check: unknown or incomplete option " << arg << "\n"
          << Usage();
      return kExitUsage;
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    err << Usage();
    return kExitUsage;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      CreateDaemonChannel(daemon);
  if (!channel.ok()) {
    err << "clearmatch check: " << channel.status().message() << "\n";
    return kExitUsage;
  }
  auto stub = v1::Matcher::NewStub(*channel);
  int exit_code = kExitOk;
  for (const std::string& file : files) {
    v1::CheckResponse response;
    const grpc::Status status =
        CheckFile(*stub, file, context, deadline_ms, &response);
    if (!status.ok()) {
      exit_code = kExitInputFailed;
      if (json) {
        JsonObjectWriter j;
        j.Add("file", file).Add("error", DaemonCallError(daemon, status));
        j.Add("code", static_cast<int>(status.error_code()));
        out << j.Finish() << "\n";
      } else {
        err << file << ": error: " << DaemonCallError(daemon, status) << "\n";
      }
      continue;
    }
    if (json) {
      out << CheckResponseJson(response, file) << "\n";
    } else {
      out << v1::Decision_Name(response.decision()) << " " << file;
      for (const v1::Match& match : response.matches()) {
        out << MatchText(match);
      }
      out << "\n";
    }
  }
  return exit_code;
}

}  // namespace clearmatch::cli
