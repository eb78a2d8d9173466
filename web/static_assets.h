// The reviewers' web page's static files (HTML, JavaScript, CSS), compiled
// into the binary: the daemon needs no files and no network to serve them.
// The build generates the implementation from webui/ (its placeholder,
// static_assets_placeholder.cc, has a minimal index.html).
//
//   if (const StaticAsset* asset = FindStaticAsset("/index.html")) {
//     Reply(asset->content_type, asset->body);
//   }
//
// Immutable data; thread-safe.
#ifndef CLEARMATCH_WEB_STATIC_ASSETS_H_
#define CLEARMATCH_WEB_STATIC_ASSETS_H_

#include "absl/strings/string_view.h"

namespace clearmatch {

struct StaticAsset {
  absl::string_view path;          // "/index.html", "/app.js", ...
  absl::string_view content_type;  // "text/html; charset=utf-8", ...
  absl::string_view body;
};

// The asset served at `path` (an URL path: "/" is "/index.html"); nullptr
// when there is none.
const StaticAsset* FindStaticAsset(absl::string_view path);

}  // namespace clearmatch

#endif  // CLEARMATCH_WEB_STATIC_ASSETS_H_
