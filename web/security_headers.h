// The security headers of every answer of the web listener: a strict
// Content-Security-Policy (scripts, styles and API calls from the page's
// own origin only; nothing may frame it; previews from the platform's
// viewer only, the origin of content_url_template), no MIME sniffing, no
// referrer, no framing, and HSTS on TLS.
//
//   for (const auto& [name, value] : SecurityHeaders(template, tls)) ...
//
// Pure functions; thread-safe.
#ifndef CLEARMATCH_WEB_SECURITY_HEADERS_H_
#define CLEARMATCH_WEB_SECURITY_HEADERS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace clearmatch {

// "https://admin.example" of "https://admin.example/content/{content_id}";
// "" for an empty template.
std::string ViewerOrigin(absl::string_view content_url_template);

// default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'
// data: <viewer>; frame-src <viewer>; connect-src 'self'; frame-ancestors
// 'none'; base-uri 'none'; form-action 'none'.
std::string ContentSecurityPolicy(absl::string_view content_url_template);

std::vector<std::pair<std::string, std::string>> SecurityHeaders(
    absl::string_view content_url_template, bool tls);

}  // namespace clearmatch

#endif  // CLEARMATCH_WEB_SECURITY_HEADERS_H_
