// RequestAuthorizer: deny by default. Who the caller is (a Principal: the
// subject CN of an mTLS-verified client certificate, or the uid of a caller
// on the unix socket) and whether it has a role: "checker" (Matcher),
// "reviewer" (Review) or "admin" (Admin, the allowlist).
// - A certificate has the roles tls.roles gives its common name; none if
//   it is not listed.
// - A unix user has the roles unix_roles gives its uid (without unix_roles:
//   the daemon's own uid has every role); none if it is not listed.
// - The web listener's local reviewer (web_local_reviewer) has "reviewer".
// - An anonymous caller (plaintext TCP, TLS without a client certificate)
//   has only "checker": Matcher stays open for development and
//   server-auth-only setups. A call on a unix socket connection that is no
//   longer known gets no role at all.
//
//   RequestAuthorizer authorizer(config, [&](absl::string_view peer) {
//     return listener->UidOf(peer);
//   });
//   CM_ASSIGN_OR_RETURN(Principal caller,
//                       authorizer.AuthorizeCaller(*context, "reviewer"));
//
// Immutable; thread-safe (so must be `unix_peer_uid`).
#ifndef CLEARMATCH_DAEMON_REQUEST_AUTHORIZER_H_
#define CLEARMATCH_DAEMON_REQUEST_AUTHORIZER_H_

#include <grpcpp/server_context.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clearmatch/v1/config.pb.h"
#include "daemon/principal.h"

namespace clearmatch {

class RequestAuthorizer {
 public:
  // The uid of the caller on the unix-socket connection gRPC names
  // `grpc_peer` (UnixSocketListener::UidOf); nullopt for other peers.
  using UnixPeerUid =
      std::function<std::optional<uint32_t>(absl::string_view grpc_peer)>;

  // `config` with its defaults applied (unix_socket, unix_roles, tls).
  RequestAuthorizer(const v1::DaemonConfig& config, UnixPeerUid unix_peer_uid);

  // The caller: a certificate, a unix user, or anonymous. UNAUTHENTICATED
  // for a unix-socket connection no longer known.
  absl::StatusOr<Principal> Authenticate(
      const grpc::ServerContextBase& context) const;

  // The caller, if it has `role`. UNAUTHENTICATED (saying how to
  // authenticate) for an anonymous caller when the role needs a principal;
  // PERMISSION_DENIED naming the principal and the role it lacks.
  absl::StatusOr<Principal> AuthorizeCaller(
      const grpc::ServerContextBase& context, absl::string_view role) const;
  absl::Status Authorize(const grpc::ServerContextBase& context,
                         absl::string_view role) const {
    return AuthorizeCaller(context, role).status();
  }
  // Whether `caller` (however it was authenticated) has `role`; the errors
  // of AuthorizeCaller. A web local reviewer has "reviewer" only.
  absl::Status CheckRole(const Principal& caller, absl::string_view role) const;
  // The roles `caller` has, in the order checker, reviewer, admin.
  std::vector<std::string> RolesOf(const Principal& caller) const;

 private:
  struct UnixUser {
    std::string name;
    absl::flat_hash_set<std::string> roles;
  };

  absl::Status Unauthenticated(absl::string_view role) const;

  UnixPeerUid unix_peer_uid_;
  // "" when the unix socket is off.
  std::string unix_socket_;
  // common name -> roles.
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>>
      certificate_roles_;
  // uid -> name and roles.
  absl::flat_hash_map<uint32_t, UnixUser> unix_users_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_REQUEST_AUTHORIZER_H_
