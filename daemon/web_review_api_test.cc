// Tests of the reviewers' web API end to end: a real WebServer (web/) on
// loopback over WebReviewApi, the gRPC service's ReviewCalls and a real
// review store on each back end (SQLite, PostgreSQL), reached with
// cpp-httplib's HTTP(S) client. Every
// route; the callers (local reviewer, anonymous plaintext, TLS without a
// certificate, mTLS certificates with and without the roles); every CSRF
// refusal; the security headers; bad ids, bad JSON, oversized bodies,
// foreign Host headers; a content id that is a script tag comes back
// escaped.
#include "daemon/web_review_api.h"

#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "config/daemon_config.h"
#include "daemon/daemon_metrics.h"
#include "daemon/request_authorizer.h"
#include "daemon/review_calls.h"
#include "daemon/worker_pool.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "review/review_test_database.h"
#include "testing/temp_dir.h"
#include "testing/test_pki.h"
#include "web/web_server.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestPki;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kXss[] = "<script>alert(1)</script>";
constexpr char kPdq[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
constexpr char kSha256[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

template <typename Message>
Message Parse(const std::string& json) {
  Message message;
  const auto status =
      google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in " << json;
  return message;
}

std::string Field(const std::string& json, const std::string& name) {
  const auto object = Parse<google::protobuf::Struct>(json);
  auto it = object.fields().find(name);
  return it == object.fields().end() ? "" : it->second.string_value();
}

class WebApiTest : public ::testing::TestWithParam<ReviewBackend> {
 protected:
  void SetUp() override {
    auto store = db_.Open();
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ApplyDaemonConfigDefaults(&config_);
    config_.set_unix_socket(kUnixSocketOff);
    AddRoles("ann", {"reviewer"});
    AddRoles("root", {"reviewer", "admin"});
    AddRoles("pipeline", {"checker"});
    authorizer_ = std::make_unique<RequestAuthorizer>(
        config_, [](absl::string_view) { return std::nullopt; });
    calls_ =
        std::make_unique<ReviewCalls>(*store_, pool_, metrics_, *authorizer_);
    api_ = std::make_unique<WebReviewApi>(*calls_);
  }
  void AddRoles(const std::string& common_name,
                const std::vector<std::string>& roles) {
    v1::RoleMapping* mapping = config_.mutable_tls()->add_roles();
    mapping->set_common_name(common_name);
    for (const std::string& role : roles) mapping->add_roles(role);
  }
  void StartPlain(const std::string& local_reviewer) {
    WebServer::Options options;
    options.listen = "127.0.0.1:0";
    options.local_reviewer = local_reviewer;
    options.content_url_template = "https://admin.example/content/{content_id}";
    options.max_body_bytes = 4096;
    auto server = WebServer::Start(options, *api_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  // A verdict with a script tag for content id; returns its id.
  int64_t Record(const std::string& content_id = kXss) {
    v1::MatchRecord record;
    record.set_content_id(content_id);
    record.set_context(v1::UPLOAD);
    record.set_decision(v1::BLOCK);
    v1::Match* match = record.add_matches();
    match->set_bank("tid");
    match->set_entry_id("e1");
    match->set_hash_type("pdq");
    match->set_category("ncii");
    record.mutable_query_hashes()->set_sha256(kSha256);
    record.mutable_query_hashes()->add_pdq()->set_hash(kPdq);
    store_->Enqueue(record);
    store_->Flush();
    auto listed = store_->ListMatches({});
    EXPECT_TRUE(listed.ok());
    return listed->matches(0).match_id();
  }
  httplib::Client Plain() {
    return httplib::Client("127.0.0.1", server_->port());
  }
  std::string Token(httplib::Client& client) {
    auto session = client.Get("/api/v1/session");
    EXPECT_TRUE(session);
    return session ? Field(session->body, "csrf_token") : "";
  }
  httplib::Headers Change(const std::string& token) {
    return {{"X-CSRF-Token", token},
            {"Origin", absl::StrCat("http://127.0.0.1:", server_->port())},
            {"Sec-Fetch-Site", "same-origin"}};
  }

  TempDir dir_;
  const ReviewTestDatabase db_{GetParam()};
  v1::DaemonConfig config_;
  std::unique_ptr<ReviewStore> store_;
  DaemonMetrics metrics_;
  std::unique_ptr<RequestAuthorizer> authorizer_;
  WorkerPool pool_{/*workers=*/1, /*queue_size=*/16};
  std::unique_ptr<ReviewCalls> calls_;
  std::unique_ptr<WebReviewApi> api_;
  std::unique_ptr<WebServer> server_;  // stopped first
};

TEST_P(WebApiTest, SessionOfTheLocalReviewerAndTheSecurityHeaders) {
  StartPlain("ann");
  httplib::Client client = Plain();
  auto session = client.Get("/api/v1/session");
  ASSERT_TRUE(session);
  EXPECT_EQ(session->status, 200);
  EXPECT_EQ(Field(session->body, "reviewer"), "ann");
  EXPECT_EQ(Field(session->body, "csrf_token").size(), 64u);
  EXPECT_EQ(Field(session->body, "content_url_template"),
            "https://admin.example/content/{content_id}");
  const auto object = Parse<google::protobuf::Struct>(session->body);
  const auto& roles = object.fields().at("roles").list_value();
  ASSERT_EQ(roles.values_size(), 1);
  EXPECT_EQ(roles.values(0).string_value(), "reviewer");
  EXPECT_THAT(session->get_header_value("Content-Security-Policy"),
              HasSubstr("default-src 'none'; script-src 'self'"));
  EXPECT_THAT(session->get_header_value("Content-Security-Policy"),
              HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(session->get_header_value("Content-Security-Policy"),
              HasSubstr("frame-src https://admin.example"));
  EXPECT_EQ(session->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(session->get_header_value("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(session->get_header_value("Cache-Control"), "no-store");
  EXPECT_THAT(session->get_header_value("Content-Type"),
              HasSubstr("application/json"));

  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->get_header_value("Content-Type"), HasSubstr("text/html"));
  EXPECT_THAT(page->body, HasSubstr("<html"));
  EXPECT_EQ(page->get_header_value("X-Frame-Options"), "DENY");
  auto missing = client.Get("/no-such-file.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->get_header_value("X-Content-Type-Options"), "nosniff");
}

TEST_P(WebApiTest, ListAndGetEscapeTheContentId) {
  const int64_t id = Record();
  StartPlain("ann");
  httplib::Client client = Plain();
  auto listed = client.Get(
      "/api/v1/matches?status=pending&order=oldest_first&category=ncii"
      "&context=upload&page_size=10");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  EXPECT_THAT(listed->body, Not(HasSubstr("<script>")));
  EXPECT_THAT(listed->body, HasSubstr("\\u003cscript\\u003e"));
  const auto page = Parse<v1::ListMatchesResponse>(listed->body);
  ASSERT_EQ(page.matches_size(), 1);
  EXPECT_EQ(page.matches(0).content_id(), kXss);
  EXPECT_EQ(page.total_count(), 1);
  EXPECT_EQ(page.pending_count(), 1);

  auto one = client.Get(absl::StrCat("/api/v1/matches/", id));
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  EXPECT_EQ(Parse<v1::MatchRecord>(one->body).matches(0).category(), "ncii");
  auto unknown = client.Get("/api/v1/matches/999");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_THAT(unknown->body, HasSubstr("match 999 not found"));
  EXPECT_EQ(unknown->get_header_value("Cache-Control"), "no-store");
  for (const char* bad : {"/api/v1/matches/abc", "/api/v1/matches/-1",
                          "/api/v1/matches/1x/audit"}) {
    auto refused = client.Get(bad);
    ASSERT_TRUE(refused) << bad;
    EXPECT_EQ(refused->status, 400) << bad;
    EXPECT_THAT(refused->body, HasSubstr("is not a positive number")) << bad;
  }
  for (const char* bad :
       {"/api/v1/matches?colour=red", "/api/v1/matches?page_size=abc",
        "/api/v1/matches?status=maybe", "/api/v1/matches?page_size=5000"}) {
    auto refused = client.Get(bad);
    ASSERT_TRUE(refused) << bad;
    EXPECT_EQ(refused->status, 400) << bad << " " << refused->body;
    EXPECT_EQ(Parse<google::protobuf::Struct>(refused->body)
                  .fields()
                  .at("code")
                  .number_value(),
              3)
        << bad;
  }
  auto nothing = client.Get("/api/v1/nothing");
  ASSERT_TRUE(nothing);
  EXPECT_EQ(nothing->status, 404);
}

TEST_P(WebApiTest, DecisionRecordsTheLocalReviewerAndAuditAndStatsShowIt) {
  const int64_t id = Record();
  StartPlain("ann");
  httplib::Client client = Plain();
  const std::string path = absl::StrCat("/api/v1/matches/", id, "/decision");
  auto decided =
      client.Post(path, Change(Token(client)),
                  R"({"outcome": "FALSE_POSITIVE", "note": "not her"})",
                  "application/json");
  ASSERT_TRUE(decided);
  ASSERT_EQ(decided->status, 200) << decided->body;
  const auto record = Parse<v1::MatchRecord>(decided->body);
  ASSERT_EQ(record.decisions_size(), 1);
  EXPECT_EQ(record.decisions(0).reviewer(), "ann");
  EXPECT_EQ(record.decisions(0).outcome(), v1::FALSE_POSITIVE);
  EXPECT_TRUE(store_->IsAllowlisted(absl::StrCat("pdq:", kPdq), "tid", "e1"));

  auto again = client.Post(path, Change(Token(client)),
                           R"({"outcome": "CONFIRMED"})", "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_THAT(again->body, HasSubstr("decided already"));
  auto someone_else = client.Post(
      path, Change(Token(client)),
      R"({"outcome": "CONFIRMED", "reviewer": "bob", "override": true})",
      "application/json");
  ASSERT_TRUE(someone_else);
  EXPECT_EQ(someone_else->status, 400);
  EXPECT_THAT(someone_else->body, HasSubstr("is not the caller"));

  auto audit = client.Get(absl::StrCat("/api/v1/matches/", id, "/audit"));
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200) << audit->body;
  const auto entries = Parse<v1::ListAuditResponse>(audit->body);
  ASSERT_EQ(entries.entries_size(), 2);  // decide, allowlist_add
  EXPECT_EQ(entries.entries(0).actor(), "ann");
  EXPECT_EQ(entries.entries(1).kind(), "allowlist_add");
  // A query naming this match is the same call; naming another is refused
  // (the path says which match), not overridden.
  auto same =
      client.Get(absl::StrCat("/api/v1/matches/", id, "/audit?match_id=", id));
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 200) << same->body;
  auto other = client.Get(
      absl::StrCat("/api/v1/matches/", id, "/audit?match_id=", id + 76));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 400) << other->body;
  EXPECT_THAT(other->body,
              HasSubstr(absl::StrCat("query: matchId ", id + 76,
                                     " is not the match of the path, ", id)));
  auto all = client.Get("/api/v1/audit?page_size=1");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->status, 200) << all->body;
  EXPECT_FALSE(
      Parse<v1::ListAuditResponse>(all->body).next_page_token().empty());
  auto stats = client.Get("/api/v1/stats");
  ASSERT_TRUE(stats);
  ASSERT_EQ(stats->status, 200) << stats->body;
  EXPECT_EQ(Parse<v1::ReviewStats>(stats->body).decided_count(), 1);
  auto bad_stats =
      client.Get("/api/v1/stats?start_unix_micros=9&end_unix_micros=3");
  ASSERT_TRUE(bad_stats);
  EXPECT_EQ(bad_stats->status, 400);

  // The local reviewer has no admin role.
  auto allowlist = client.Get("/api/v1/allowlist");
  ASSERT_TRUE(allowlist);
  EXPECT_EQ(allowlist->status, 403);
  EXPECT_THAT(allowlist->body, HasSubstr("lacks the admin role"));
}

TEST_P(WebApiTest, EveryCsrfRefusal) {
  const int64_t id = Record();
  StartPlain("ann");
  httplib::Client client = Plain();
  const std::string path = absl::StrCat("/api/v1/matches/", id, "/decision");
  const std::string body = R"({"outcome": "CONFIRMED"})";
  const std::string token = Token(client);
  struct Case {
    httplib::Headers headers;
    std::string content_type;
    int status;
    std::string message;
  };
  httplib::Headers no_token = Change(token);
  no_token.erase("X-CSRF-Token");
  httplib::Headers wrong_token = Change(std::string(64, 'a'));
  httplib::Headers wrong_origin = Change(token);
  wrong_origin.erase("Origin");
  wrong_origin.emplace("Origin", "https://evil.example");
  httplib::Headers cross_site = Change(token);
  cross_site.erase("Sec-Fetch-Site");
  cross_site.emplace("Sec-Fetch-Site", "cross-site");
  const Case cases[] = {
      {no_token, "application/json", 403, "X-CSRF-Token: missing"},
      {wrong_token, "application/json", 403, "not this caller's token"},
      {wrong_origin, "application/json", 403,
       "Origin: \"https://evil.example\""},
      {cross_site, "application/json", 403, "Sec-Fetch-Site: \"cross-site\""},
      {Change(token), "text/plain", 400, "must be application/json"},
      {Change(token), "application/x-www-form-urlencoded", 400,
       "must be application/json"},
  };
  for (const Case& c : cases) {
    auto refused = client.Post(path, c.headers, body, c.content_type.c_str());
    ASSERT_TRUE(refused) << c.message;
    EXPECT_EQ(refused->status, c.status) << c.message;
    EXPECT_THAT(Field(refused->body, "message"), HasSubstr(c.message));
  }
  auto bad_json =
      client.Post(path, Change(token), "{outcome: ", "application/json");
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_THAT(bad_json->body, HasSubstr("not a JSON DecideRequest"));
  auto unknown_field =
      client.Post(path, Change(token), R"({"verdict": 1})", "application/json");
  ASSERT_TRUE(unknown_field);
  EXPECT_EQ(unknown_field->status, 400);
  auto other_match = client.Post(path, Change(token),
                                 R"({"matchId": "77", "outcome": "CONFIRMED"})",
                                 "application/json");
  ASSERT_TRUE(other_match);
  EXPECT_EQ(other_match->status, 400);
  EXPECT_THAT(other_match->body, HasSubstr("not the match of the path"));
  auto too_big = client.Post(path, Change(token), std::string(8192, ' '),
                             "application/json");
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 400);
  EXPECT_THAT(too_big->body, HasSubstr("over the size limit"));
  // Nothing got through.
  auto record = store_->GetMatch(id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->decisions_size(), 0);
}

TEST_P(WebApiTest, ForeignHostIsRefusedOnLoopback) {
  StartPlain("ann");
  httplib::Client client = Plain();
  auto rebound =
      client.Get("/api/v1/session",
                 {{"Host", absl::StrCat("evil.example:", server_->port())}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 421);
  EXPECT_THAT(rebound->body, HasSubstr("is not this loopback listener"));
  auto local =
      client.Get("/api/v1/session",
                 {{"Host", absl::StrCat("localhost:", server_->port())}});
  ASSERT_TRUE(local);
  EXPECT_EQ(local->status, 200);
}

TEST_P(WebApiTest, PlaintextWithoutLocalReviewerIsAnonymousAndReadOnly) {
  const int64_t id = Record();
  StartPlain("");
  httplib::Client client = Plain();
  auto session = client.Get("/api/v1/session");
  ASSERT_TRUE(session);
  EXPECT_EQ(Field(session->body, "reviewer"), "");
  EXPECT_EQ(Field(session->body, "csrf_token"), "");
  auto listed = client.Get("/api/v1/matches");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 401);
  EXPECT_THAT(listed->body, HasSubstr("needs an authenticated caller"));
  auto decided = client.Post(absl::StrCat("/api/v1/matches/", id, "/decision"),
                             Change("x"), R"({"outcome": "CONFIRMED"})",
                             "application/json");
  ASSERT_TRUE(decided);
  EXPECT_EQ(decided->status, 403);
  EXPECT_THAT(decided->body, HasSubstr("refuses every change"));
}

TEST_P(WebApiTest, PlaintextBeyondLoopbackAndLocalReviewerWithTlsAreRefused) {
  WebServer::Options open;
  open.listen = "0.0.0.0:0";
  EXPECT_EQ(WebServer::Start(open, *api_).status().code(),
            absl::StatusCode::kInvalidArgument);
  WebServer::Options both;
  both.listen = "127.0.0.1:0";
  both.cert_file = "c.pem";
  both.key_file = "k.pem";
  both.local_reviewer = "ann";
  EXPECT_EQ(WebServer::Start(both, *api_).status().code(),
            absl::StatusCode::kInvalidArgument);
  WebServer::Options missing = both;
  missing.local_reviewer.clear();
  EXPECT_EQ(WebServer::Start(missing, *api_).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

class WebApiTlsTest : public WebApiTest {
 protected:
  void SetUp() override {
    WebApiTest::SetUp();
    auto pki = TestPki::Create(dir_.path(), "web-ca");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<TestPki>(*std::move(pki));
    auto server = pki_->Issue(TestPki::Server("server"));
    ASSERT_TRUE(server.ok()) << server.status();
    server_files_ = *server;
  }
  void StartTls(bool client_ca) {
    WebServer::Options options;
    options.listen = "127.0.0.1:0";
    options.cert_file = server_files_.cert_file;
    options.key_file = server_files_.key_file;
    if (client_ca) options.client_ca_file = pki_->ca_file();
    auto server = WebServer::Start(options, *api_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  // A client with the certificate of `common_name` (none: "").
  std::unique_ptr<httplib::SSLClient> Client(const std::string& common_name) {
    std::unique_ptr<httplib::SSLClient> client;
    if (common_name.empty()) {
      client =
          std::make_unique<httplib::SSLClient>("127.0.0.1", server_->port());
    } else {
      auto files = pki_->Issue(TestPki::Client(common_name, common_name));
      EXPECT_TRUE(files.ok()) << files.status();
      client = std::make_unique<httplib::SSLClient>(
          "127.0.0.1", server_->port(), files->cert_file, files->key_file);
    }
    client->set_ca_cert_path(pki_->ca_file().c_str());
    client->enable_server_certificate_verification(true);
    return client;
  }
  httplib::Headers TlsChange(httplib::SSLClient& client) {
    auto session = client.Get("/api/v1/session");
    EXPECT_TRUE(session);
    return {{"X-CSRF-Token", session ? Field(session->body, "csrf_token") : ""},
            {"Origin", absl::StrCat("https://127.0.0.1:", server_->port())}};
  }

  std::unique_ptr<TestPki> pki_;
  TestPki::Files server_files_;
};

TEST_P(WebApiTlsTest, TlsWithoutClientCertificatesIsAnonymous) {
  Record();
  StartTls(/*client_ca=*/false);
  auto client = Client("");
  auto listed = client->Get("/api/v1/matches");
  ASSERT_TRUE(listed) << httplib::to_string(listed.error());
  EXPECT_EQ(listed->status, 401);
  EXPECT_EQ(listed->get_header_value("Strict-Transport-Security"),
            "max-age=31536000");
}

TEST_P(WebApiTlsTest, ClientCertificatesAreThePrincipalsWithTheirRoles) {
  const int64_t id = Record();
  StartTls(/*client_ca=*/true);
  auto ann = Client("ann");
  auto listed = ann->Get("/api/v1/matches");
  ASSERT_TRUE(listed) << httplib::to_string(listed.error());
  EXPECT_EQ(listed->status, 200);
  auto decided = ann->Post(absl::StrCat("/api/v1/matches/", id, "/decision"),
                           TlsChange(*ann), R"({"outcome": "FALSE_POSITIVE"})",
                           "application/json");
  ASSERT_TRUE(decided);
  ASSERT_EQ(decided->status, 200) << decided->body;
  EXPECT_EQ(Parse<v1::MatchRecord>(decided->body).decisions(0).reviewer(),
            "ann");
  auto ann_allowlist = ann->Get("/api/v1/allowlist");
  ASSERT_TRUE(ann_allowlist);
  EXPECT_EQ(ann_allowlist->status, 403);

  auto pipeline = Client("pipeline");
  auto denied = pipeline->Get("/api/v1/matches");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
  EXPECT_THAT(denied->body, HasSubstr("client certificate \\\"pipeline\\\" "
                                      "lacks the reviewer role"));

  auto root = Client("root");
  auto allowlist = root->Get("/api/v1/allowlist");
  ASSERT_TRUE(allowlist);
  ASSERT_EQ(allowlist->status, 200) << allowlist->body;
  const auto entries = Parse<v1::ListAllowlistResponse>(allowlist->body);
  ASSERT_EQ(entries.entries_size(), 1);
  v1::RemoveAllowlistEntryRequest remove;
  remove.set_content_key(entries.entries(0).content_key());
  remove.set_bank("tid");
  remove.set_entry_id("e1");
  remove.set_note("wrong call");
  std::string remove_json;
  ASSERT_TRUE(
      google::protobuf::util::MessageToJsonString(remove, &remove_json).ok());
  auto removed = root->Post("/api/v1/allowlist/remove", TlsChange(*root),
                            remove_json, "application/json");
  ASSERT_TRUE(removed);
  ASSERT_EQ(removed->status, 200) << removed->body;
  EXPECT_EQ(removed->body, "{}");
  EXPECT_FALSE(store_->IsAllowlisted(absl::StrCat("pdq:", kPdq), "tid", "e1"));
  auto again = root->Post("/api/v1/allowlist/remove", TlsChange(*root),
                          remove_json, "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 404);

  // Without a certificate the handshake itself fails.
  auto nobody = Client("");
  EXPECT_FALSE(nobody->Get("/api/v1/session"));
}

INSTANTIATE_TEST_SUITE_P(Backends, WebApiTest, kReviewBackends,
                         ReviewBackendName);
INSTANTIATE_TEST_SUITE_P(Backends, WebApiTlsTest, kReviewBackends,
                         ReviewBackendName);

}  // namespace
}  // namespace clearmatch
