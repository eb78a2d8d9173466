// Security headers of the web listener.
#include "web/security_headers.h"

#include "absl/strings/str_cat.h"

namespace clearmatch {

std::string ViewerOrigin(absl::string_view content_url_template) {
  const size_t scheme = content_url_template.find("://");
  if (scheme == absl::string_view::npos) return "";
  const size_t path = content_url_template.find_first_of("/?#", scheme + 3);
  return std::string(content_url_template.substr(0, path));
}

std::string ContentSecurityPolicy(absl::string_view content_url_template) {
  const std::string viewer = ViewerOrigin(content_url_template);
  return absl::StrCat(
      "default-src 'none'; script-src 'self'; style-src 'self'; "
      "img-src 'self' data:",
      viewer.empty() ? "" : " ", viewer,
      viewer.empty() ? "" : absl::StrCat("; frame-src ", viewer),
      "; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
      "form-action 'none'");
}

std::vector<std::pair<std::string, std::string>> SecurityHeaders(
    absl::string_view content_url_template, bool tls) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Security-Policy", ContentSecurityPolicy(content_url_template)},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
  };
  if (tls) {
    headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
  }
  return headers;
}

}  // namespace clearmatch
