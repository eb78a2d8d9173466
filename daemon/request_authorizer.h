// RequestAuthorizer: maps the client certificate of an mTLS call to roles
// ("checker" for Matcher, "admin" for Admin) from tls.roles in the config.
// Without role mappings every caller that reached the server (loopback, TLS,
// or mTLS-verified) has every role.
//
//   RequestAuthorizer authorizer(config.tls());
//   absl::Status s = authorizer.Authorize(*context, "admin");
//
// Immutable; thread-safe.
#ifndef CLEARMATCH_DAEMON_REQUEST_AUTHORIZER_H_
#define CLEARMATCH_DAEMON_REQUEST_AUTHORIZER_H_

#include <grpcpp/server_context.h>

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/config.pb.h"

namespace clearmatch {

class RequestAuthorizer {
 public:
  explicit RequestAuthorizer(const v1::TlsConfig& tls);

  // OK, or PERMISSION_DENIED naming the certificate's common name and the
  // missing role.
  absl::Status Authorize(const grpc::ServerContextBase& context,
                         absl::string_view role) const;

 private:
  // common name -> roles; empty: no role checks.
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> roles_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_REQUEST_AUTHORIZER_H_
