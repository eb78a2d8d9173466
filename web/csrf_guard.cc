// CSRF tokens and checks.
#include "web/csrf_guard.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace clearmatch {

CsrfGuard::CsrfGuard() {
  if (RAND_bytes(key_, sizeof(key_)) != 1) {
    // Without randomness every token would be guessable: never serve so.
    std::abort();
  }
}

std::string CsrfGuard::TokenFor(const WebCaller& caller) const {
  const std::string subject = absl::StrCat(
      static_cast<int>(caller.kind), ":", caller.name.size(), ":", caller.name);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_, sizeof(key_),
       reinterpret_cast<const unsigned char*>(subject.data()), subject.size(),
       mac, &length);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac), length));
}

absl::Status CsrfGuard::Check(const WebCaller& caller,
                              const PostHeaders& headers,
                              absl::string_view own_origin) const {
  const std::string type = headers.content_type.value_or("");
  const absl::string_view media_type =
      absl::string_view(type).substr(0, type.find(';'));
  if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(media_type),
                              "application/json")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Content-Type: \"", type, "\"; a change must be application/json"));
  }
  if (headers.origin.has_value() && *headers.origin != own_origin) {
    return absl::PermissionDeniedError(
        absl::StrCat("Origin: \"", *headers.origin, "\" is not this page's (",
                     own_origin, ")"));
  }
  if (headers.sec_fetch_site.has_value() &&
      *headers.sec_fetch_site != "same-origin") {
    return absl::PermissionDeniedError(
        absl::StrCat("Sec-Fetch-Site: \"", *headers.sec_fetch_site,
                     "\"; a change must come from this page (same-origin)"));
  }
  if (!headers.csrf_token.has_value() || headers.csrf_token->empty()) {
    return absl::PermissionDeniedError(
        "X-CSRF-Token: missing; take it from GET /api/v1/session");
  }
  const std::string expected = TokenFor(caller);
  if (headers.csrf_token->size() != expected.size() ||
      CRYPTO_memcmp(headers.csrf_token->data(), expected.data(),
                    expected.size()) != 0) {
    return absl::PermissionDeniedError(
        "X-CSRF-Token: not this caller's token (GET /api/v1/session)");
  }
  return absl::OkStatus();
}

}  // namespace clearmatch
