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

// Reads the request of `rpc` with `fill`, calls it and replies.
template <typename Request, typename Response, typename Fill>
void Serve(const Routes& routes, const char* rpc, const httplib::Request& http,
           httplib::Response& out, Fill fill) {
  const WebCaller caller = routes.options.caller_of(http);
  Request request;
  Response response;
  absl::Status status = absl::OkStatus();
  if (http.method == "POST") status = CheckChange(routes, http, caller);
  if (status.ok()) status = fill(request);
  if (status.ok()) status = routes.api.Call(caller, rpc, request, response);
  Reply(out, status, status.ok() ? MessageToJson(response) : "");
}

// GET routes whose request is the query string alone.
template <typename Request, typename Response>
void AddQueryRoute(httplib::Server& server, std::shared_ptr<Routes> routes,
                   const char* path, const char* rpc) {
  server.Get(path, [routes, rpc](const httplib::Request& http,
                                 httplib::Response& out) {
    Serve<Request, Response>(*routes, rpc, http, out, [&](Request& request) {
      return QueryToMessage(QueryOf(http), request);
    });
  });
}

void AddMatchRoutes(httplib::Server& server, std::shared_ptr<Routes> routes) {
  server.Get(R"(/api/v1/matches/([^/]+))",
             [routes](const httplib::Request& http, httplib::Response& out) {
               Serve<v1::GetMatchRequest, v1::MatchRecord>(
                   *routes, "GetMatch", http, out, [&](auto& request) {
                     absl::StatusOr<int64_t> id = MatchIdOf(http);
                     if (!id.ok()) return id.status();
                     // The query first: parsing it clears the message.
                     absl::Status status =
                         QueryToMessage(QueryOf(http), request);
                     request.set_match_id(*id);
                     return status;
                   });
             });
  server.Get(R"(/api/v1/matches/([^/]+)/audit)",
             [routes](const httplib::Request& http, httplib::Response& out) {
               Serve<v1::ListAuditRequest, v1::ListAuditResponse>(
                   *routes, "ListAudit", http, out, [&](auto& request) {
                     absl::StatusOr<int64_t> id = MatchIdOf(http);
                     if (!id.ok()) return id.status();
                     absl::Status status =
                         QueryToMessage(QueryOf(http), request);
                     request.set_match_id(*id);
                     return status;
                   });
             });
  server.Post(R"(/api/v1/matches/([^/]+)/decision)",
              [routes](const httplib::Request& http, httplib::Response& out) {
                Serve<v1::DecideRequest, v1::MatchRecord>(
                    *routes, "Decide", http, out, [&](auto& request) {
                      absl::StatusOr<int64_t> id = MatchIdOf(http);
                      if (!id.ok()) return id.status();
                      absl::Status status = JsonToMessage(http.body, request);
                      if (status.ok() && request.match_id() != 0 &&
                          request.match_id() != *id) {
                        status = absl::InvalidArgumentError(absl::StrCat(
                            "body: matchId ", request.match_id(),
                            " is not the match of the path, ", *id));
                      }
                      request.set_match_id(*id);
                      return status;
                    });
              });
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
  AddQueryRoute<v1::ListMatchesRequest, v1::ListMatchesResponse>(
      server, routes, "/api/v1/matches", "ListMatches");
  AddMatchRoutes(server, routes);
  AddQueryRoute<v1::ListAuditRequest, v1::ListAuditResponse>(
      server, routes, "/api/v1/audit", "ListAudit");
  AddQueryRoute<v1::ListAllowlistRequest, v1::ListAllowlistResponse>(
      server, routes, "/api/v1/allowlist", "ListAllowlist");
  AddQueryRoute<v1::GetStatsRequest, v1::ReviewStats>(
      server, routes, "/api/v1/stats", "GetStats");
  server.Post("/api/v1/allowlist/remove", [routes](const httplib::Request& http,
                                                   httplib::Response& out) {
    Serve<v1::RemoveAllowlistEntryRequest, v1::RemoveAllowlistEntryResponse>(
        *routes, "RemoveAllowlistEntry", http, out,
        [&](auto& request) { return JsonToMessage(http.body, request); });
  });
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
