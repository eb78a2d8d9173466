#include "clearinghouse/clearinghouse_setup.h"

#include <sys/stat.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/ncmec_test_server.h"
#include "testing/stopncii_test_server.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::NcmecTestServer;
using ::clearmatch::testing::StopNciiTestServer;
using ::clearmatch::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

class ClearinghouseSetupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ncmec_ = *NcmecTestServer::Start({});
    stopncii_ = *StopNciiTestServer::Start({});
    ncmec_credentials_ = Private("ncmec", "platform:secret\n");
    stopncii_credentials_ =
        Private("stopncii",
                "subscription_key=test-subscription-key\n"
                "fetch_hashes_key=test-fetch-hashes-key\n"
                "submit_feedback_key=test-submit-feedback-key\n");
    v1::NcmecSourceConfig* ncmec = config_.add_ncmec_sources();
    ncmec->set_name("ncmec");
    ncmec->set_base_url(ncmec_->base_url());
    ncmec->set_credentials_file(ncmec_credentials_);
    ncmec->set_feedback(true);
    v1::StopNciiSourceConfig* stopncii = config_.add_stopncii_sources();
    stopncii->set_name("stopncii");
    stopncii->set_base_url(stopncii_->base_url());
    stopncii->set_credentials_file(stopncii_credentials_);
    stopncii->set_feedback(false);
    store_ = *ClearinghouseStore::Open({.path = dir_.File("ch.sqlite")});
  }

  std::string Private(const std::string& name, const std::string& text) {
    const std::string path = dir_.Write(name, text);
    chmod(path.c_str(), 0600);
    return path;
  }

  TempDir dir_;
  std::unique_ptr<NcmecTestServer> ncmec_;
  std::unique_ptr<StopNciiTestServer> stopncii_;
  std::string ncmec_credentials_, stopncii_credentials_;
  v1::DaemonConfig config_;
  std::unique_ptr<ClearinghouseStore> store_;
};

TEST_F(ClearinghouseSetupTest, OneSourcePerEntryAndSinksOnlyWithFeedback) {
  EXPECT_TRUE(HasClearinghouseSources(config_));
  EXPECT_FALSE(HasClearinghouseSources(v1::DaemonConfig()));
  auto sources =
      MakeClearinghouseSources(config_, *store_, [] { return false; });
  ASSERT_TRUE(sources.ok()) << sources.status();
  ASSERT_EQ(sources->size(), 2u);
  EXPECT_EQ((*sources)[0]->name(), "ncmec");
  EXPECT_EQ((*sources)[0]->kind(), SourceKind::kNcmec);
  EXPECT_EQ((*sources)[1]->name(), "stopncii");
  EXPECT_EQ((*sources)[1]->kind(), SourceKind::kStopNcii);
  auto sinks = MakeFeedbackSinks(config_, [] { return false; });
  ASSERT_TRUE(sinks.ok()) << sinks.status();
  ASSERT_EQ(sinks->size(), 1u);  // stopncii has feedback: false
  EXPECT_EQ((*sinks)[0]->bank(), "ncmec");
}

TEST_F(ClearinghouseSetupTest, BadCredentialsNameTheKeyNotTheContent) {
  chmod(ncmec_credentials_.c_str(), 0644);
  auto readable =
      MakeClearinghouseSources(config_, *store_, [] { return false; });
  ASSERT_FALSE(readable.ok());
  EXPECT_EQ(readable.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(readable.status().message(),
              HasSubstr("ncmec_sources[0].credentials_file"));
  EXPECT_THAT(readable.status().message(), Not(HasSubstr("secret")));

  Private("stopncii", "subscription_key=k\nfetch_hashes_key=sekrit\n");
  chmod(ncmec_credentials_.c_str(), 0600);
  auto missing_key =
      MakeClearinghouseSources(config_, *store_, [] { return false; });
  ASSERT_FALSE(missing_key.ok());
  EXPECT_THAT(missing_key.status().message(),
              HasSubstr("stopncii_sources[0].credentials_file"));
  EXPECT_THAT(missing_key.status().message(), HasSubstr("submit_feedback_key"));
  EXPECT_THAT(missing_key.status().message(), Not(HasSubstr("sekrit")));
}

TEST_F(ClearinghouseSetupTest, ConnectionChecksSayWhoThePlatformIs) {
  std::vector<ConnectionReport> reports =
      CheckClearinghouseConnections(config_);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_TRUE(reports[0].status.ok()) << reports[0].status;
  EXPECT_THAT(reports[0].who, HasSubstr("member 7 (Test Platform)"));
  EXPECT_TRUE(reports[1].status.ok()) << reports[1].status;
  EXPECT_THAT(reports[1].who, HasSubstr("keys accepted"));

  EXPECT_EQ(reports[0].who,
            "member 7 (Test Platform), username platform, seen from "
            "127.0.0.1");
  EXPECT_EQ(reports[1].who, "keys accepted, 0 records on the first page");

  Private("ncmec", "platform:wrong\n");
  reports = CheckClearinghouseConnections(config_);
  EXPECT_EQ(reports[0].status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(reports[0].status.message(), Not(HasSubstr("wrong")));
  EXPECT_TRUE(reports[1].status.ok());  // one bad source, the other checked

  Private("stopncii",
          "subscription_key=test-subscription-key\n"
          "fetch_hashes_key=wrong-key-value\n"
          "submit_feedback_key=test-submit-feedback-key\n");
  reports = CheckClearinghouseConnections(config_);
  EXPECT_EQ(reports[1].status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(reports[1].status.message(), Not(HasSubstr("wrong-key-value")));
}

}  // namespace
}  // namespace clearmatch
