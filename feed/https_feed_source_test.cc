// HttpFeedSource over real TLS: a loopback HTTPS server with certificates
// from a CA made inside the test. A feed syncs when the client trusts that
// CA; an untrusted, self-signed or wrong-host certificate fails at once
// (verification stays on) with an error that says TLS failed.
#include <memory>
#include <string>

#include "crypto/ed25519_signer.h"
#include "feed/feed_publisher.h"
#include "feed/feed_syncer.h"
#include "feed/hash_store.h"
#include "feed/http_feed_source.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/feed_fixtures.h"
#include "testing/temp_dir.h"
#include "testing/test_pki.h"
#include "testing/tls_http_server.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestAdds;
using ::clearmatch::testing::TestPki;
using ::clearmatch::testing::TlsHttpServer;
using ::testing::AllOf;
using ::testing::HasSubstr;

class HttpsFeedSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = *Ed25519Signer::GenerateKeyPair();
    FeedPublisher::Options options;
    options.feed_dir = dir_.File("feed");
    options.private_key_pem = keys_.private_pem;
    options.feed_id = "tls-feed";
    auto publisher = FeedPublisher::Create(options);
    ASSERT_TRUE(publisher.ok()) << publisher.status();
    ASSERT_TRUE((*publisher)->Publish(TestAdds(0, 10)).ok());
    auto pki = TestPki::Create(dir_.path(), "feed-ca");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<TestPki>(*std::move(pki));
    HashStore::Options store_options;
    store_options.path = dir_.File("store.sqlite");
    auto store = HashStore::Open(store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Serves the feed over HTTPS with `server` as certificate.
  void Serve(const TestPki::Files& server) {
    auto started = TlsHttpServer::Start(dir_.File("feed"), server.cert_pem,
                                        server.key_pem);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
  }

  absl::StatusOr<FeedSyncer::Result> Sync(const std::string& ca_file) {
    HttpFeedSource::Options http;
    http.base_url = server_->base_url();
    http.ca_file = ca_file;
    http.connect_timeout = absl::Seconds(2);
    http.attempt_timeout = absl::Seconds(5);
    http.max_attempts = 3;
    http.sleep = [](absl::Duration) {};
    auto source = HttpFeedSource::Create(http);
    if (!source.ok()) return source.status();
    FeedSyncer::Options options;
    options.public_key_pem = keys_.public_pem;
    auto syncer = FeedSyncer::Create(options, **source, *store_);
    if (!syncer.ok()) return syncer.status();
    return (*syncer)->Sync();
  }

  // The store is untouched (never synced) and exactly one connection was
  // made: a TLS failure is not retried.
  void ExpectNothingSynced() {
    auto entries = store_->ListEntries("tls-feed");
    ASSERT_TRUE(entries.ok());
    EXPECT_TRUE(entries->empty());
    EXPECT_EQ(server_->connections(), 1);
  }

  TempDir dir_;
  Ed25519KeyPair keys_;
  std::unique_ptr<TestPki> pki_;
  std::unique_ptr<HashStore> store_;
  std::unique_ptr<TlsHttpServer> server_;
};

TEST_F(HttpsFeedSourceTest, SyncsWhenTheServerCaIsTrusted) {
  auto server = pki_->Issue(TestPki::Server("server"));
  ASSERT_TRUE(server.ok()) << server.status();
  Serve(*server);
  auto result = Sync(pki_->ca_file());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->to_sequence, 1u);
  auto entries = store_->ListEntries("tls-feed");
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 10u);
}

TEST_F(HttpsFeedSourceTest, CertificateOfAnotherCaIsRefused) {
  auto other = TestPki::Create(dir_.path(), "other-ca");
  ASSERT_TRUE(other.ok()) << other.status();
  auto server = other->Issue(TestPki::Server("server"));
  ASSERT_TRUE(server.ok()) << server.status();
  Serve(*server);
  auto result = Sync(pki_->ca_file());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(),
              AllOf(HasSubstr(server_->base_url()), HasSubstr("TLS failed"),
                    HasSubstr("certificate")));
  ExpectNothingSynced();
}

TEST_F(HttpsFeedSourceTest, SelfSignedCertificateIsRefused) {
  auto server = TestPki::SelfSigned(dir_.path(), TestPki::Server("self"));
  ASSERT_TRUE(server.ok()) << server.status();
  Serve(*server);
  // Neither with the system's CAs nor with the test CA.
  for (const std::string& ca_file : {std::string(), pki_->ca_file()}) {
    auto result = Sync(ca_file);
    ASSERT_FALSE(result.ok()) << "ca_file=" << ca_file;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(result.status().message(),
                AllOf(HasSubstr("TLS failed"), HasSubstr("certificate")));
  }
  auto entries = store_->ListEntries("tls-feed");
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE(entries->empty());
  EXPECT_EQ(server_->connections(), 2);
}

TEST_F(HttpsFeedSourceTest, CertificateForAnotherHostIsRefused) {
  TestPki::Spec spec = TestPki::Server("elsewhere");
  spec.common_name = "feed.example";
  spec.dns_names = {"feed.example"};
  spec.ip_addresses = {"127.0.0.2"};
  auto server = pki_->Issue(spec);
  ASSERT_TRUE(server.ok()) << server.status();
  Serve(*server);
  auto result = Sync(pki_->ca_file());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(),
              AllOf(HasSubstr("TLS failed"), HasSubstr("127.0.0.1")));
  ExpectNothingSynced();
}

TEST_F(HttpsFeedSourceTest, MissingCaFileIsReported) {
  auto server = pki_->Issue(TestPki::Server("server"));
  ASSERT_TRUE(server.ok()) << server.status();
  Serve(*server);
  const std::string missing = dir_.File("no-such-ca.pem");
  auto result = Sync(missing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(),
              AllOf(HasSubstr("TLS failed"), HasSubstr(missing)));
  auto entries = store_->ListEntries("tls-feed");
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE(entries->empty());
}

}  // namespace
}  // namespace clearmatch
