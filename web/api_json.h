// The web API's JSON: Review messages in protobuf's JSON mapping
// (lowerCamelCase names, enums by name, 64-bit integers as strings, fields
// at their defaults printed), query parameters read into request messages,
// the session object and the error object, and the HTTP status of each
// canonical code.
//
//   v1::ListMatchesRequest request;
//   CM_RETURN_IF_ERROR(QueryToMessage({{"status", "pending"}}, request));
//   std::string body = MessageToJson(response);
//
// Pure functions; thread-safe.
#ifndef CLEARMATCH_WEB_API_JSON_H_
#define CLEARMATCH_WEB_API_JSON_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "web/review_api.h"

namespace clearmatch {

// <, > and & are escaped (\u003c...) everywhere.
std::string MessageToJson(const google::protobuf::Message& message);

// `body` (a JSON object of `message`'s type; field names in lowerCamelCase
// or as in the .proto) into `message`. INVALID_ARGUMENT naming what is
// wrong: not JSON, an unknown field, a value of the wrong type.
absl::Status JsonToMessage(absl::string_view body,
                           google::protobuf::Message& message);

// Query parameters into `message`: each names a singular scalar field (as
// in the .proto, e.g. page_size), once; enum values by name, in any case
// ("pending", "OLDEST_FIRST"). INVALID_ARGUMENT naming the parameter.
absl::Status QueryToMessage(
    const std::vector<std::pair<std::string, std::string>>& params,
    google::protobuf::Message& message);

// {"reviewer": ..., "roles": [...], "csrf_token": ...,
//  "content_url_template": ...}
std::string SessionJson(const WebSession& session, absl::string_view csrf_token,
                        absl::string_view content_url_template);

// {"code": <the gRPC code number>, "message": "..."}
std::string ErrorJson(const absl::Status& status);
// 400, 401, 403, 404, 409, 429, 503, ... for `code`; 200 for OK.
int HttpStatusOf(absl::StatusCode code);

}  // namespace clearmatch

#endif  // CLEARMATCH_WEB_API_JSON_H_
