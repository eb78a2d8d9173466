// The generated FindStaticAsset (webui/tools/embed.mjs) serves every file
// of the built page byte for byte, with its content type.
#include "web/static_assets.h"

#include <filesystem>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "common/file_io.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

std::string DistFile(const std::string& name) {
  absl::StatusOr<std::string> body = ReadFileToString(
      std::string(CLEARMATCH_WEBUI_DIST) + "/" + name, 1 << 24);
  EXPECT_TRUE(body.ok()) << body.status();
  return body.value_or("");
}

TEST(StaticAssetsTest, EveryBuiltFileIsServedByteForByte) {
  int files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(CLEARMATCH_WEBUI_DIST)) {
    const std::string name = entry.path().filename().string();
    const StaticAsset* asset = FindStaticAsset("/" + name);
    ASSERT_NE(asset, nullptr) << name;
    EXPECT_EQ(asset->path, "/" + name);
    EXPECT_EQ(asset->body, DistFile(name)) << name;
    ++files;
  }
  EXPECT_GE(files, 3);
}

TEST(StaticAssetsTest, ContentTypesAndTheRootPage) {
  const StaticAsset* root = FindStaticAsset("/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(root->body, DistFile("index.html"));
  EXPECT_TRUE(absl::StrContains(root->body, "src=\"/app.js\""));
  const StaticAsset* script = FindStaticAsset("/app.js");
  ASSERT_NE(script, nullptr);
  EXPECT_EQ(script->content_type, "text/javascript; charset=utf-8");
  const StaticAsset* style = FindStaticAsset("/style.css");
  ASSERT_NE(style, nullptr);
  EXPECT_EQ(style->content_type, "text/css; charset=utf-8");
}

TEST(StaticAssetsTest, UnknownPathsAreNotFound) {
  EXPECT_EQ(FindStaticAsset("/nope.js"), nullptr);
  EXPECT_EQ(FindStaticAsset("app.js"), nullptr);
  EXPECT_EQ(FindStaticAsset("/../CMakeLists.txt"), nullptr);
  EXPECT_EQ(FindStaticAsset(""), nullptr);
}

}  // namespace
}  // namespace clearmatch
