// A placeholder for the generated assets: one page saying that the web
// page was not built, and how its API is reached.
#include "web/static_assets.h"

namespace clearmatch {
namespace {

constexpr char kIndexHtml[] = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>clearmatch review</title>
</head>
<body>
<h1>clearmatch review</h1>
<p>This clearmatchd was built without the reviewers' web page (webui/).
Its JSON API is served under <code>/api/v1/</code> (docs/REVIEW.md).</p>
</body>
</html>
)html";

constexpr StaticAsset kAssets[] = {
    {"/index.html", "text/html; charset=utf-8", kIndexHtml},
};

}  // namespace

const StaticAsset* FindStaticAsset(absl::string_view path) {
  if (path == "/") path = "/index.html";
  for (const StaticAsset& asset : kAssets) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

}  // namespace clearmatch
