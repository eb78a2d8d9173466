// Roles from the client certificate's common name.
#include "daemon/request_authorizer.h"

#include <grpcpp/security/auth_context.h>

#include "absl/strings/str_cat.h"

namespace clearmatch {

RequestAuthorizer::RequestAuthorizer(const v1::TlsConfig& tls) {
  for (const v1::RoleMapping& mapping : tls.roles()) {
    auto& roles = roles_[mapping.common_name()];
    for (const std::string& role : mapping.roles()) roles.insert(role);
  }
}

absl::Status RequestAuthorizer::Authorize(
    const grpc::ServerContextBase& context, absl::string_view role) const {
  if (roles_.empty()) return absl::OkStatus();
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  std::string common_name;
  if (auth != nullptr) {
    for (const grpc::string_ref& value :
         auth->FindPropertyValues("x509_common_name")) {
      common_name.assign(value.data(), value.size());
    }
  }
  auto it = roles_.find(common_name);
  if (common_name.empty() || it == roles_.end() || !it->second.contains(role)) {
    return absl::PermissionDeniedError(
        absl::StrCat("client \"", common_name, "\" lacks the ", role, " role"));
  }
  return absl::OkStatus();
}

}  // namespace clearmatch
