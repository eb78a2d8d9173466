// WebReviewApi: the web listener's ReviewApi (web/review_api.h) over the
// gRPC Review service's ReviewCalls: a web caller becomes a Principal (a
// client certificate as on gRPC, or the web local reviewer), and each
// route's call runs exactly as the RPC of that name does (authorization,
// checks, review pool, metrics).
//
//   WebReviewApi api(review_service.calls());
//   CM_ASSIGN_OR_RETURN(auto web, WebServer::Start(options, api));
//
// Thread-safe; borrows `calls`, which must outlive it.
#ifndef CLEARMATCH_DAEMON_WEB_REVIEW_API_H_
#define CLEARMATCH_DAEMON_WEB_REVIEW_API_H_

#include "daemon/principal.h"
#include "daemon/review_calls.h"
#include "web/review_api.h"

namespace clearmatch {

class WebReviewApi final : public ReviewApi {
 public:
  explicit WebReviewApi(ReviewCalls& calls) : calls_(calls) {}

  WebSession Session(const WebCaller& caller) override;
  // Blocks the listener's thread until the review pool has answered.
  absl::Status Call(const WebCaller& caller, absl::string_view rpc,
                    const google::protobuf::Message& request,
                    google::protobuf::Message& response) override;

  static Principal PrincipalOf(const WebCaller& caller);

 private:
  ReviewCalls& calls_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_WEB_REVIEW_API_H_
