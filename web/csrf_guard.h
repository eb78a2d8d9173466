// CsrfGuard: what a state-changing request (every POST of the web API) must
// show to prove it comes from the page itself, not from another site that
// the reviewer's browser visits while it holds the reviewer's client
// certificate or loopback access:
// - the CSRF token of its caller, from GET /api/v1/session, in header
//   X-CSRF-Token (an HMAC of the caller under a key made at start-up: bound
//   to the principal, valid until the daemon restarts; a cross-site page
//   cannot read it, the API sends no CORS headers);
// - Content-Type application/json (an HTML form cannot send it);
// - no Origin but the listener's own, no Sec-Fetch-Site but same-origin.
//
//   CsrfGuard guard;  // a fresh random key
//   std::string token = guard.TokenFor(caller);
//   CM_RETURN_IF_ERROR(guard.Check(caller, headers, "https://host:8443"));
//
// Immutable after construction; thread-safe.
#ifndef CLEARMATCH_WEB_CSRF_GUARD_H_
#define CLEARMATCH_WEB_CSRF_GUARD_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "web/review_api.h"

namespace clearmatch {

class CsrfGuard {
 public:
  // The headers of a POST that matter here; nullopt: absent.
  struct PostHeaders {
    std::optional<std::string> content_type;
    std::optional<std::string> origin;
    std::optional<std::string> sec_fetch_site;
    std::optional<std::string> csrf_token;
  };

  CsrfGuard();  // a random key

  // Hex HMAC-SHA256 of the caller's kind and name.
  std::string TokenFor(const WebCaller& caller) const;
  // OK, or PERMISSION_DENIED (token, origin, fetch site) or
  // INVALID_ARGUMENT (content type) saying what is wrong. `own_origin`:
  // "https://HOST[:PORT]" as the request's Host header names the listener.
  absl::Status Check(const WebCaller& caller, const PostHeaders& headers,
                     absl::string_view own_origin) const;

 private:
  unsigned char key_[32];
};

}  // namespace clearmatch

#endif  // CLEARMATCH_WEB_CSRF_GUARD_H_
