// The arguments and output formats of `clearmatch review`.
#include "cli/review_args.h"

#include <google/protobuf/util/json_util.h>

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"

namespace clearmatch::cli {
namespace {

constexpr int kDeadlineSeconds = 30;

constexpr const char* kBooleanFlags[] = {"--json", "--override"};
constexpr const char* kValuedFlags[] = {
    "--status",       "--bank",       "--outcome", "--since",    "--until",
    "--page-size",    "--page-token", "--note",    "--reviewer", "--store",
    "--database-url", "--state",      "--match",   "--limit"};

// Unix seconds flag -> microseconds; false if present and not a number.
bool TimeFlag(const ReviewArgs& args, const char* name, int64_t* micros) {
  const std::string* text = args.Find(name);
  if (text == nullptr) return true;
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(*text, &seconds) || seconds < 0 ||
      seconds > INT64_MAX / 1000000) {
    return false;
  }
  *micros = seconds * 1000000;
  return true;
}

// Consumes the option args[*i] (and its value); false after printing why
// it is not one.
bool ParseOption(const std::vector<std::string>& argv, size_t* i,
                 ReviewArgs* args, std::ostream& err) {
  const std::string& arg = argv[*i];
  for (const char* name : kBooleanFlags) {
    if (arg == name) {
      args->flags[arg] = std::string(1, '1');
      return true;
    }
  }
  for (const char* name : kValuedFlags) {
    if (arg != name) continue;
    if (*i + 1 >= argv.size()) {
      err << "clearmatch review: " << arg << " needs a value\n";
      return false;
    }
    args->flags[arg] = argv[++*i];
    return true;
  }
  err << "clearmatch review: unknown option " << arg << "\n";
  return false;
}

}  // namespace

const std::string* ReviewArgs::Find(const std::string& flag) const {
  auto it = flags.find(flag);
  return it == flags.end() ? nullptr : &it->second;
}

bool ParseReviewArgs(const std::vector<std::string>& argv, size_t from,
                     ReviewArgs* args, std::ostream& err) {
  for (size_t i = from; i < argv.size(); ++i) {
    absl::StatusOr<bool> consumed =
        ConsumeDaemonChannelFlag(argv, &i, &args->daemon);
    if (!consumed.ok()) {
      err << "clearmatch review: " << consumed.status().message() << "\n";
      return false;
    }
    if (*consumed) continue;
    const std::string& arg = argv[i];
    if (arg.size() < 2 || arg.compare(0, 2, "--") != 0) {
      args->positional.push_back(arg);
      continue;
    }
    if (!ParseOption(argv, &i, args, err)) return false;
  }
  return true;
}

bool ReviewTimeRange(const ReviewArgs& args, int64_t* since_micros,
                     int64_t* until_micros, std::ostream& err) {
  if (TimeFlag(args, "--since", since_micros) &&
      TimeFlag(args, "--until", until_micros)) {
    return true;
  }
  err << "clearmatch review: --since and --until are unix seconds\n";
  return false;
}

bool ReviewPositiveFlag(const ReviewArgs& args, const char* flag,
                        std::optional<int64_t>* value, std::ostream& err) {
  const std::string* text = args.Find(flag);
  if (text == nullptr) return true;
  int64_t number = 0;
  if (!absl::SimpleAtoi(*text, &number) || number <= 0) {
    err << "clearmatch review: " << flag << " must be a positive number\n";
    return false;
  }
  *value = number;
  return true;
}

void SetReviewDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(kDeadlineSeconds));
}

void PrintReviewCallError(const ReviewArgs& args, const grpc::Status& status,
                          std::ostream& err) {
  err << "clearmatch review: " << DaemonCallError(args.daemon, status)
      << " (code " << status.error_code() << ")\n";
}

std::string ReviewJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options)
           .ok()) {
    return "{}";
  }
  return json;
}

std::string ReviewTimeText(int64_t micros) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMicros(micros),
                          absl::UTCTimeZone());
}

}  // namespace clearmatch::cli
