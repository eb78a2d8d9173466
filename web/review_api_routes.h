// The JSON API of the reviewers' web page under /api/v1/ (docs/REVIEW.md,
// "Web API"), each route one Review RPC through ReviewApi:
//   GET  /api/v1/session                  {reviewer, roles, csrf_token,
//                                          content_url_template}
//   GET  /api/v1/matches?status=&bank=&category=&decision=&outcome=
//        &context=&start_unix_micros=&end_unix_micros=&order=&page_size=
//        &page_token=                     ListMatchesResponse
//   GET  /api/v1/matches/{id}             MatchRecord
//   POST /api/v1/matches/{id}/decision    DecideRequest -> MatchRecord
//   GET  /api/v1/matches/{id}/audit       ListAuditResponse
//   GET  /api/v1/audit?match_id=&page_size=&page_token=  ListAuditResponse
//   GET  /api/v1/allowlist?page_size=&page_token=  ListAllowlistResponse
//   POST /api/v1/allowlist/remove         RemoveAllowlistEntryRequest -> {}
//   GET  /api/v1/stats?start_unix_micros=&end_unix_micros=  ReviewStats
// Errors: {"code": <gRPC code>, "message": "..."} with the HTTP status of
// the code (web/api_json.h). Every POST passes the CsrfGuard first; on a
// listener without a reviewer (plaintext without web_local_reviewer) every
// POST is refused.
//
// Thread-safe: the handlers share only immutable state and `api`.
#ifndef CLEARMATCH_WEB_REVIEW_API_ROUTES_H_
#define CLEARMATCH_WEB_REVIEW_API_ROUTES_H_

#include <functional>
#include <string>

#include "web/csrf_guard.h"
#include "web/review_api.h"

namespace httplib {
class Server;
struct Request;
}  // namespace httplib

namespace clearmatch {

struct ReviewApiRoutesOptions {
  // Who sent a request (WebServer::CallerOf).
  std::function<WebCaller(const httplib::Request&)> caller_of;
  bool tls = false;
  // Plaintext without web_local_reviewer: every POST refused.
  bool read_only = false;
  std::string content_url_template;
};

// Adds the routes to `server`. `api` and `csrf` must outlive it.
void AddReviewApiRoutes(httplib::Server& server, ReviewApi& api,
                        const CsrfGuard& csrf,
                        const ReviewApiRoutesOptions& options);

}  // namespace clearmatch

#endif  // CLEARMATCH_WEB_REVIEW_API_ROUTES_H_
