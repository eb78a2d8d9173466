// The web API's calls through ReviewCalls.
#include "daemon/web_review_api.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"

namespace clearmatch {
namespace {

// Runs `method` of `calls` with the typed messages and waits for it.
template <typename Request, typename Response, typename Method>
absl::Status Invoke(ReviewCalls& calls, Method method, const Principal& caller,
                    const google::protobuf::Message& request,
                    google::protobuf::Message& response) {
  const auto* typed_request = dynamic_cast<const Request*>(&request);
  auto* typed_response = dynamic_cast<Response*>(&response);
  if (typed_request == nullptr || typed_response == nullptr) {
    return absl::InternalError(absl::StrCat(
        "web API: ", request.GetTypeName(), " / ", response.GetTypeName(),
        " are not the messages of the call"));
  }
  absl::Notification finished;
  absl::Status result;
  (calls.*method)(caller, *typed_request, typed_response, nullptr,
                  [&](const absl::Status& status) {
                    result = status;
                    finished.Notify();
                  });
  finished.WaitForNotification();
  return result;
}

}  // namespace

Principal WebReviewApi::PrincipalOf(const WebCaller& caller) {
  switch (caller.kind) {
    case WebCaller::Kind::kCertificate:
      return Principal::Certificate(caller.name);
    case WebCaller::Kind::kLocalReviewer:
      return Principal::WebLocalReviewer(caller.name);
    case WebCaller::Kind::kAnonymous:
      break;
  }
  return Principal::Anonymous();
}

WebSession WebReviewApi::Session(const WebCaller& caller) {
  const Principal principal = PrincipalOf(caller);
  WebSession session;
  session.reviewer = principal.name();
  session.roles = calls_.authorizer().RolesOf(principal);
  return session;
}

absl::Status WebReviewApi::Call(const WebCaller& caller, absl::string_view rpc,
                                const google::protobuf::Message& request,
                                google::protobuf::Message& response) {
  const Principal principal = PrincipalOf(caller);
  if (rpc == "ListMatches") {
    return Invoke<v1::ListMatchesRequest, v1::ListMatchesResponse>(
        calls_, &ReviewCalls::ListMatches, principal, request, response);
  }
  if (rpc == "GetMatch") {
    return Invoke<v1::GetMatchRequest, v1::MatchRecord>(
        calls_, &ReviewCalls::GetMatch, principal, request, response);
  }
  if (rpc == "Decide") {
    return Invoke<v1::DecideRequest, v1::MatchRecord>(
        calls_, &ReviewCalls::Decide, principal, request, response);
  }
  if (rpc == "ListAudit") {
    return Invoke<v1::ListAuditRequest, v1::ListAuditResponse>(
        calls_, &ReviewCalls::ListAudit, principal, request, response);
  }
  if (rpc == "ListAllowlist") {
    return Invoke<v1::ListAllowlistRequest, v1::ListAllowlistResponse>(
        calls_, &ReviewCalls::ListAllowlist, principal, request, response);
  }
  if (rpc == "RemoveAllowlistEntry") {
    return Invoke<v1::RemoveAllowlistEntryRequest,
                  v1::RemoveAllowlistEntryResponse>(
        calls_, &ReviewCalls::RemoveAllowlistEntry, principal, request,
        response);
  }
  if (rpc == "GetStats") {
    return Invoke<v1::GetStatsRequest, v1::ReviewStats>(
        calls_, &ReviewCalls::GetStats, principal, request, response);
  }
  return absl::UnimplementedError(
      absl::StrCat("web API: no Review call \"", rpc, "\""));
}

}  // namespace clearmatch
