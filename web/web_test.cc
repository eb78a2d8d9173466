// Unit tests of the web module's pure parts: the JSON mapping and query
// parameters, the CSRF guard, the security headers and the placeholder
// assets. The listener itself is tested end to end in
// daemon/web_review_api_test.cc.
#include "clearmatch/v1/review.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "web/api_json.h"
#include "web/csrf_guard.h"
#include "web/security_headers.h"
#include "web/static_assets.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ApiJsonTest, QueryParametersFillTheRequest) {
  v1::ListMatchesRequest request;
  ASSERT_TRUE(QueryToMessage({{"status", "pending"},
                              {"order", "Oldest_First"},
                              {"bank", "tid"},
                              {"page_size", "20"},
                              {"start_unix_micros", "1000"}},
                             request)
                  .ok());
  EXPECT_EQ(request.status(), v1::ListMatchesRequest::PENDING);
  EXPECT_EQ(request.order(), v1::ListMatchesRequest::OLDEST_FIRST);
  EXPECT_EQ(request.bank(), "tid");
  EXPECT_EQ(request.page_size(), 20);
  EXPECT_EQ(request.start_unix_micros(), 1000);
  v1::ListMatchesRequest bad;
  EXPECT_THAT(QueryToMessage({{"colour", "red"}}, bad).message(),
              HasSubstr("\"colour\": not a parameter of ListMatchesRequest"));
  EXPECT_THAT(QueryToMessage({{"bank", "a"}, {"bank", "b"}}, bad).message(),
              HasSubstr("given twice"));
  EXPECT_EQ(QueryToMessage({{"page_size", "many"}}, bad).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(QueryToMessage({{"status", "maybe"}}, bad).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ApiJsonTest, MarkupIsEscapedAndDefaultsPrinted) {
  v1::MatchRecord record;
  record.set_content_id("<script>alert(1)</script>&");
  const std::string json = MessageToJson(record);
  EXPECT_THAT(json, Not(HasSubstr("<")));
  EXPECT_THAT(json, Not(HasSubstr("&")));
  EXPECT_THAT(json, HasSubstr("\\u003cscript\\u003ealert(1)\\u003c/script"
                              "\\u003e\\u0026"));
  EXPECT_THAT(json, HasSubstr("\"matchId\":\"0\""));
  v1::MatchRecord parsed;
  ASSERT_TRUE(JsonToMessage(json, parsed).ok());
  EXPECT_EQ(parsed.content_id(), record.content_id());
  EXPECT_THAT(JsonToMessage("[1]", parsed).message(),
              HasSubstr("body: not a JSON MatchRecord"));
  const std::string error = ErrorJson(absl::NotFoundError("match <1> here"));
  EXPECT_THAT(error, HasSubstr("\"code\":5"));
  EXPECT_THAT(error, HasSubstr("\"message\":\"match \\u003c1\\u003e here\""));
}

TEST(ApiJsonTest, HttpStatusOfEachCode) {
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kOk), 200);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kDataLoss), 500);
}

TEST(CsrfGuardTest, TokensAreBoundToThePrincipalAndTheKey) {
  const CsrfGuard guard;
  const WebCaller ann{WebCaller::Kind::kCertificate, "ann"};
  const WebCaller local_ann{WebCaller::Kind::kLocalReviewer, "ann"};
  const WebCaller bob{WebCaller::Kind::kCertificate, "bob"};
  EXPECT_EQ(guard.TokenFor(ann), guard.TokenFor(ann));
  EXPECT_NE(guard.TokenFor(ann), guard.TokenFor(bob));
  EXPECT_NE(guard.TokenFor(ann), guard.TokenFor(local_ann));
  EXPECT_NE(guard.TokenFor(ann), CsrfGuard().TokenFor(ann));

  CsrfGuard::PostHeaders good;
  good.content_type = "application/json; charset=utf-8";
  good.origin = "https://review.example";
  good.sec_fetch_site = "same-origin";
  good.csrf_token = guard.TokenFor(ann);
  EXPECT_TRUE(guard.Check(ann, good, "https://review.example").ok());
  CsrfGuard::PostHeaders no_browser_headers = good;
  no_browser_headers.origin.reset();
  no_browser_headers.sec_fetch_site.reset();
  EXPECT_TRUE(
      guard.Check(ann, no_browser_headers, "https://review.example").ok());
  EXPECT_EQ(guard.Check(bob, good, "https://review.example").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(guard.Check(ann, good, "https://other.example").code(),
            absl::StatusCode::kPermissionDenied);
  CsrfGuard::PostHeaders form = good;
  form.content_type = "multipart/form-data";
  EXPECT_EQ(guard.Check(ann, form, "https://review.example").code(),
            absl::StatusCode::kInvalidArgument);
  CsrfGuard::PostHeaders same_site = good;
  same_site.sec_fetch_site = "same-site";
  EXPECT_EQ(guard.Check(ann, same_site, "https://review.example").code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(SecurityHeadersTest, PolicyAllowsOnlyThePageAndTheViewer) {
  EXPECT_EQ(ViewerOrigin("https://admin.example:8443/content/{content_id}"),
            "https://admin.example:8443");
  EXPECT_EQ(ViewerOrigin(""), "");
  EXPECT_EQ(ContentSecurityPolicy(""),
            "default-src 'none'; script-src 'self'; style-src 'self'; "
            "img-src 'self' data:; connect-src 'self'; frame-ancestors "
            "'none'; base-uri 'none'; form-action 'none'");
  EXPECT_THAT(ContentSecurityPolicy("https://a.example/c?id={content_id}"),
              HasSubstr("img-src 'self' data: https://a.example; frame-src "
                        "https://a.example;"));
  bool hsts = false;
  for (const auto& [name, value] : SecurityHeaders("", /*tls=*/true)) {
    hsts = hsts || name == "Strict-Transport-Security";
  }
  EXPECT_TRUE(hsts);
  for (const auto& [name, value] : SecurityHeaders("", /*tls=*/false)) {
    EXPECT_NE(name, "Strict-Transport-Security");
  }
}

TEST(StaticAssetsTest, IndexIsServedAtTheRoot) {
  const StaticAsset* root = FindStaticAsset("/");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root, FindStaticAsset("/index.html"));
  EXPECT_THAT(root->content_type, HasSubstr("text/html"));
  EXPECT_EQ(FindStaticAsset("/../etc/passwd"), nullptr);
}

}  // namespace
}  // namespace clearmatch
