// JSON mapping of the web API.
#include "web/api_json.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace clearmatch {
namespace {

namespace protobuf = ::google::protobuf;

// `json` with <, > and & as \u escapes (they occur only inside strings):
// a content id "<script>" never appears as markup, whatever reads it.
std::string EscapeMarkup(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (const char c : json) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A Struct as a JSON object (cannot fail: a Struct is always valid JSON).
std::string StructToJson(const protobuf::Struct& object) {
  std::string json;
  (void)protobuf::util::MessageToJsonString(object, &json);
  return EscapeMarkup(json);
}

}  // namespace

std::string MessageToJson(const protobuf::Message& message) {
  protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  if (!protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    return "{}";  // only for messages with unset Any fields; ours have none
  }
  return EscapeMarkup(json);
}

absl::Status JsonToMessage(absl::string_view body, protobuf::Message& message) {
  protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status =
      protobuf::util::JsonStringToMessage(std::string(body), &message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("body: not a JSON ", message.GetDescriptor()->name(), ": ",
                     status.ToString()));
  }
  return absl::OkStatus();
}

absl::Status QueryToMessage(
    const std::vector<std::pair<std::string, std::string>>& params,
    protobuf::Message& message) {
  const protobuf::Descriptor* descriptor = message.GetDescriptor();
  protobuf::Struct object;
  absl::flat_hash_set<std::string> seen;
  for (const auto& [name, value] : params) {
    const protobuf::FieldDescriptor* field = descriptor->FindFieldByName(name);
    if (field == nullptr || field->is_repeated() ||
        field->cpp_type() == protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      return absl::InvalidArgumentError(absl::StrCat("query parameter \"", name,
                                                     "\": not a parameter of ",
                                                     descriptor->name()));
    }
    if (!seen.insert(name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter \"", name, "\": given twice"));
    }
    (*object.mutable_fields())[name].set_string_value(
        field->cpp_type() == protobuf::FieldDescriptor::CPPTYPE_ENUM
            ? absl::AsciiStrToUpper(value)
            : value);
  }
  protobuf::util::JsonParseOptions options;
  const auto status = protobuf::util::JsonStringToMessage(StructToJson(object),
                                                          &message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("query parameters: ", status.ToString()));
  }
  return absl::OkStatus();
}

std::string SessionJson(const WebSession& session, absl::string_view csrf_token,
                        absl::string_view content_url_template) {
  protobuf::Struct object;
  auto& fields = *object.mutable_fields();
  fields["reviewer"].set_string_value(session.reviewer);
  protobuf::ListValue* roles = fields["roles"].mutable_list_value();
  for (const std::string& role : session.roles) {
    roles->add_values()->set_string_value(role);
  }
  fields["csrf_token"].set_string_value(std::string(csrf_token));
  fields["content_url_template"].set_string_value(
      std::string(content_url_template));
  return StructToJson(object);
}

std::string ErrorJson(const absl::Status& status) {
  protobuf::Struct object;
  auto& fields = *object.mutable_fields();
  fields["code"].set_number_value(static_cast<int>(status.code()));
  fields["message"].set_string_value(std::string(status.message()));
  return StructToJson(object);
}

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kCancelled:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

}  // namespace clearmatch
