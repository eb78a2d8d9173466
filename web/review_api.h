// ReviewApi: what the web listener (web/web_server.h) asks of the daemon:
// who an HTTP caller is to the Review service, and the Review calls
// themselves. The daemon implements it over the very code of its gRPC
// Review service (daemon/web_review_api.h), so that authorization, the
// request checks, the review pool and the metrics are the same for both.
//
//   WebCaller caller{WebCaller::Kind::kCertificate, "ann"};
//   v1::ListMatchesResponse page;
//   absl::Status status = api.Call(caller, "ListMatches", request, page);
//
// Implementations are thread-safe: the listener calls them from its
// threads.
#ifndef CLEARMATCH_WEB_REVIEW_API_H_
#define CLEARMATCH_WEB_REVIEW_API_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace clearmatch {

// Who sent an HTTP request, as its transport proved it.
struct WebCaller {
  enum class Kind {
    kAnonymous,      // plaintext without web_local_reviewer; TLS, no cert
    kCertificate,    // mTLS: `name` is the client certificate's subject CN
    kLocalReviewer,  // the plaintext loopback listener's web_local_reviewer
  };
  Kind kind = Kind::kAnonymous;
  std::string name;
};

// Who a caller is to the Review service.
struct WebSession {
  std::string reviewer;            // recorded on decisions; "" if anonymous
  std::vector<std::string> roles;  // e.g. {"reviewer"}
};

class ReviewApi {
 public:
  virtual ~ReviewApi() = default;

  virtual WebSession Session(const WebCaller& caller) = 0;
  // Runs the Review RPC `rpc` (its name in clearmatch.v1.Review, e.g.
  // "Decide") for `caller`, with `request` and `response` of that RPC's
  // message types, as the gRPC service runs it; blocks until it is
  // answered. The RPC's status: UNAUTHENTICATED, PERMISSION_DENIED,
  // INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED (review queue full), ...
  virtual absl::Status Call(const WebCaller& caller, absl::string_view rpc,
                            const google::protobuf::Message& request,
                            google::protobuf::Message& response) = 0;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_WEB_REVIEW_API_H_
