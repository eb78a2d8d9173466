// The /api/v1/ routes.
#include "web/review_api_routes.h"

#include <httplib.h>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clearmatch/v1/review.pb.h"
#include "web/api_json.h"

namespace clearmatch {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

// What every handler shares.
struct Routes {
  ReviewApi& api;
  const CsrfGuard& csrf;
  ReviewApiRoutesOptions options;
};

void Reply(httplib::Response& response, const absl::Status& status,
           const std::string& json) {
  response.status = HttpStatusOf(status.code());
  response.set_content(status.ok() ? json : ErrorJson(status),
                       "application/json");
}

Params QueryOf(const httplib::Request& request) {
  return Params(request.params.begin(), request.params.end());
}

std::optional<std::string> Header(const httplib::Request& request,
                                  const char* name) {
  if (!request.has_header(name)) return std::nullopt;
  return request.get_header_value(name);
}

// The match id of the path's first group: a positive decimal number.
absl::StatusOr<int64_t> MatchIdOf(const httplib::Request& request) {
  const std::string text =
      request.matches.size() > 1 ? request.matches[1].str() : std::string();
  int64_t id = 0;
  if (!absl::SimpleAtoi(text, &id) || id <= 0 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "match id: \"", text.substr(0, 64), "\" is not a positive number"));
  }
  return id;
}

// The checks of a POST before its body is read: a listener with a
// reviewer, the CSRF guard.
absl::Status CheckChange(const Routes& routes, const httplib::Request& request,
                         const WebCaller& caller) {
  if (routes.options.read_only) {
    return absl::PermissionDeniedError(
        "this plaintext web listener has no reviewer (web_local_reviewer, "
        "--web-local-reviewer NAME): it refuses every change");
  }
  CsrfGuard::PostHeaders headers;
  headers.content_type = Header(request, "Content-Type");
  headers.origin = Header(request, "Origin");
  headers.sec_fetch_site = Header(request, "Sec-Fetch-Site");
  headers.csrf_token = Header(request, "X-CSRF-Token");
  const std::string own_origin =
      absl::StrCat(routes.options.tls ? "https://" : "http://",
                   request.get_header_value("Host"));
  return routes.csrf.Check(caller, headers, own_origin);
}

// How a route reads its request from the HTTP request.
template <typename Request>
using ReadRequest = absl::Status (*)(const httplib::Request&, Request&);

// The request is the query string.
template <typename Request>
absl::Status FromQuery(const httplib::Request& http, Request& request) {
  return QueryToMessage(QueryOf(http), request);
}

// The request is the JSON body.
template <typename Request>
absl::Status FromBody(const httplib::Request& http, Request& request) {
  return JsonToMessage(http.body, request);
}

// The request of a route under /api/v1/matches/{id}: the query (GET) or
// the JSON body (POST), then the path's match id; a query or body that
// names another match is refused.
template <typename Request>
absl::Status MatchScopedRequest(const httplib::Request& http,
                                Request& request) {
  const absl::StatusOr<int64_t> id = MatchIdOf(http);
  if (!id.ok()) return id.status();
  const bool post = http.method == "POST";
  // Parsing first: it clears the message.
  absl::Status status =
      post ? FromBody(http, request) : FromQuery(http, request);
  if (status.ok() && request.match_id() != 0 && request.match_id() != *id) {
    status = absl::InvalidArgumentError(
        absl::StrCat(post ? "body" : "query", ": matchId ", request.match_id(),
                     " is not the match of the path, ", *id));
  }
  request.set_match_id(*id);
  return status;
}

// Reads the request of `rpc` with `read`, calls it and replies.
template <typename Request, typename Response>
void Serve(const Routes& routes, const char* rpc, const httplib::Request& http,
           httplib::Response& out, ReadRequest<Request> read) {
  const WebCaller caller = routes.options.caller_of(http);
  Request request;
  Response response;
  absl::Status status = absl::OkStatus();
  if (http.method == "POST") status = CheckChange(routes, http, caller);
  if (status.ok()) status = read(http, request);
  if (status.ok()) status = routes.api.Call(caller, rpc, request, response);
  Reply(out, status, status.ok() ? MessageToJson(response) : "");
}

enum class Method { kGet, kPost };

// The route `method` `path` of the Review RPC `rpc`, its request read with
// `read`.
template <typename Request, typename Response>
void AddRoute(httplib::Server& server, std::shared_ptr<Routes> routes,
              Method method, const char* path, const char* rpc,
              ReadRequest<Request> read) {
  auto handler = [routes, rpc, read](const httplib::Request& http,
                                     httplib::Response& out) {
    Serve<Request, Response>(*routes, rpc, http, out, read);
  };
  if (method == Method::kPost) {
    server.Post(path, std::move(handler));
  } else {
    server.Get(path, std::move(handler));
  }
}

void AddSessionRoute(httplib::Server& server, std::shared_ptr<Routes> routes) {
  server.Get("/api/v1/session", [routes](const httplib::Request& http,
                                         httplib::Response& out) {
    const WebCaller caller = routes->options.caller_of(http);
    const WebSession session = routes->api.Session(caller);
    Reply(out, absl::OkStatus(),
          SessionJson(
              session,
              session.reviewer.empty() ? "" : routes->csrf.TokenFor(caller),
              routes->options.content_url_template));
  });
}

}  // namespace

void AddReviewApiRoutes(httplib::Server& server, ReviewApi& api,
                        const CsrfGuard& csrf,
                        const ReviewApiRoutesOptions& options) {
  auto routes = std::make_shared<Routes>(Routes{api, csrf, options});
  AddSessionRoute(server, routes);
  AddRoute<v1::ListMatchesRequest, v1::ListMatchesResponse>(
      server, routes, Method::kGet, "/api/v1/matches", "ListMatches",
      FromQuery);
  AddRoute<v1::GetMatchRequest, v1::MatchRecord>(
      server, routes, Method::kGet, R"(/api/v1/matches/([^/]+))", "GetMatch",
      MatchScopedRequest);
  AddRoute<v1::ListAuditRequest, v1::ListAuditResponse>(
      server, routes, Method::kGet, R"(/api/v1/matches/([^/]+)/audit)",
      "ListAudit", MatchScopedRequest);
  AddRoute<v1::DecideRequest, v1::MatchRecord>(
      server, routes, Method::kPost, R"(/api/v1/matches/([^/]+)/decision)",
      "Decide", MatchScopedRequest);
  AddRoute<v1::ListAuditRequest, v1::ListAuditResponse>(
      server, routes, Method::kGet, "/api/v1/audit", "ListAudit", FromQuery);
  AddRoute<v1::ListAllowlistRequest, v1::ListAllowlistResponse>(
      server, routes, Method::kGet, "/api/v1/allowlist", "ListAllowlist",
      FromQuery);
  AddRoute<v1::GetStatsRequest, v1::ReviewStats>(
      server, routes, Method::kGet, "/api/v1/stats", "GetStats", FromQuery);
  AddRoute<v1::RemoveAllowlistEntryRequest, v1::RemoveAllowlistEntryResponse>(
      server, routes, Method::kPost, "/api/v1/allowlist/remove",
      "RemoveAllowlistEntry", FromBody);
  const auto not_found = [](const httplib::Request& http,
                            httplib::Response& out) {
    Reply(out,
          absl::NotFoundError(absl::StrCat("no API route ", http.method, " ",
                                           http.path.substr(0, 200))),
          "");
  };
  server.Get(R"(/api/.*)", not_found);
  server.Post(R"(/api/.*)", not_found);
}

}  // namespace clearmatch
