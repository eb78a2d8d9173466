// Principals and their roles.
#include "daemon/request_authorizer.h"

#include <grpcpp/security/auth_context.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "config/daemon_config.h"

namespace clearmatch {
namespace {

constexpr const char* kEveryRole[] = {"checker", "reviewer", "admin"};

// The subject CN of the verified client certificate ("" if it has none);
// nullopt without a verified certificate.
std::optional<std::string> CertificateCommonName(
    const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return std::nullopt;
  std::string common_name;
  for (const grpc::string_ref& value :
       auth->FindPropertyValues("x509_common_name")) {
    common_name.assign(value.data(), value.size());
  }
  return common_name;
}

}  // namespace

RequestAuthorizer::RequestAuthorizer(const v1::DaemonConfig& config,
                                     UnixPeerUid unix_peer_uid)
    : unix_peer_uid_(std::move(unix_peer_uid)) {
  if (config.unix_socket() != kUnixSocketOff) {
    unix_socket_ = config.unix_socket();
  }
  for (const v1::RoleMapping& mapping : config.tls().roles()) {
    auto& roles = certificate_roles_[mapping.common_name()];
    for (const std::string& role : mapping.roles()) roles.insert(role);
  }
  for (const v1::UnixRoleMapping& mapping : config.unix_roles()) {
    UnixUser& user = unix_users_[mapping.uid()];
    user.name =
        mapping.name().empty() ? UnixUserName(mapping.uid()) : mapping.name();
    for (const std::string& role : mapping.roles()) user.roles.insert(role);
  }
  if (config.unix_roles().empty()) {
    const uint32_t self = static_cast<uint32_t>(geteuid());
    UnixUser& user = unix_users_[self];
    user.name = UnixUserName(self);
    for (const char* role : kEveryRole) user.roles.insert(role);
  }
}

absl::StatusOr<Principal> RequestAuthorizer::Authenticate(
    const grpc::ServerContextBase& context) const {
  // A verified certificate without a CN is a principal too (with no role:
  // tls.roles names only non-empty CNs), never anonymous.
  std::optional<std::string> common_name = CertificateCommonName(context);
  if (common_name.has_value()) {
    return Principal::Certificate(*std::move(common_name));
  }
  const std::string peer = context.peer();
  if (!absl::StartsWith(peer, "fd:")) return Principal::Anonymous();
  const std::optional<uint32_t> uid =
      unix_peer_uid_ ? unix_peer_uid_(peer) : std::nullopt;
  if (!uid.has_value()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the unix socket connection ", peer, " is not known (closed?)"));
  }
  auto it = unix_users_.find(*uid);
  return Principal::UnixUser(
      *uid, it != unix_users_.end() ? it->second.name : UnixUserName(*uid));
}

absl::StatusOr<Principal> RequestAuthorizer::AuthorizeCaller(
    const grpc::ServerContextBase& context, absl::string_view role) const {
  absl::StatusOr<Principal> caller = Authenticate(context);
  if (!caller.ok()) return caller.status();
  if (absl::Status status = CheckRole(*caller, role); !status.ok()) {
    return status;
  }
  return caller;
}

absl::Status RequestAuthorizer::CheckRole(const Principal& caller,
                                          absl::string_view role) const {
  static const absl::flat_hash_set<std::string>* const kLocalReviewerRoles =
      new absl::flat_hash_set<std::string>{"reviewer"};
  const absl::flat_hash_set<std::string>* roles = nullptr;
  absl::string_view mapping = " (unix_roles)";
  switch (caller.kind()) {
    case Principal::Kind::kAnonymous:
      if (role == "checker") return absl::OkStatus();
      return Unauthenticated(role);
    case Principal::Kind::kCertificate:
      mapping = " (tls.roles)";
      if (auto it = certificate_roles_.find(caller.name());
          it != certificate_roles_.end()) {
        roles = &it->second;
      }
      break;
    case Principal::Kind::kUnixUser:
      if (auto it = unix_users_.find(caller.uid()); it != unix_users_.end()) {
        roles = &it->second.roles;
      }
      break;
    case Principal::Kind::kWebLocalReviewer:
      mapping = " (web_local_reviewer has the reviewer role only)";
      roles = kLocalReviewerRoles;
      break;
  }
  if (roles == nullptr || !roles->contains(role)) {
    return absl::PermissionDeniedError(absl::StrCat(
        caller.Description(), " lacks the ", role, " role", mapping));
  }
  return absl::OkStatus();
}

std::vector<std::string> RequestAuthorizer::RolesOf(
    const Principal& caller) const {
  std::vector<std::string> roles;
  for (const char* role : kEveryRole) {
    if (caller.authenticated() && CheckRole(caller, role).ok()) {
      roles.push_back(role);
    }
  }
  return roles;
}

absl::Status RequestAuthorizer::Unauthenticated(absl::string_view role) const {
  const std::string unix_way =
      unix_socket_.empty()
          ? std::string("the unix socket (unix_socket; it is off)")
          : absl::StrCat("the unix socket ", unix_socket_,
                         " as a user that has the role in unix_roles");
  return absl::UnauthenticatedError(absl::StrCat(
      "the ", role, " role needs an authenticated caller: connect over ",
      unix_way,
      ", or over mTLS with a client certificate whose common name "
      "has the role in tls.roles"));
}

}  // namespace clearmatch
