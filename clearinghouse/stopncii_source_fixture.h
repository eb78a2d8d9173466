// Test fixture of the StopNCII source tests: a StopNciiTestServer, a
// ClearinghouseStore in a temp dir, sources pointed at the server with a
// hand-stepped clock and recorded (not slept) backoff, and the entries of
// the store and of the server as comparable sets ("pdq:<hex>",
// "md5:<hex>").
#ifndef CLEARMATCH_CLEARINGHOUSE_STOPNCII_SOURCE_FIXTURE_H_
#define CLEARMATCH_CLEARINGHOUSE_STOPNCII_SOURCE_FIXTURE_H_

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clearinghouse/clearinghouse_store.h"
#include "clearinghouse/stopncii_index_source.h"
#include "common/hex.h"
#include "gtest/gtest.h"
#include "testing/stopncii_test_server.h"
#include "testing/temp_dir.h"

namespace clearmatch {

// Distinct hashes of record `i`: 64 and 32 hex digits.
inline std::string TestPdq(int i) {
  return absl::StrCat(std::string(48, 'a'), absl::Hex(i, absl::kZeroPad16));
}
inline std::string TestMd5(int i) {
  return absl::StrCat(std::string(16, 'd'), absl::Hex(i, absl::kZeroPad16));
}

inline StopNciiCredentials TestCredentials() {
  StopNciiCredentials credentials;
  credentials.subscription_key = "test-subscription-key";
  credentials.fetch_hashes_key = "test-fetch-hashes-key";
  credentials.submit_feedback_key = "test-submit-feedback-key";
  return credentials;
}

class StopNciiSourceFixture : public ::testing::Test {
 protected:
  using Server = testing::StopNciiTestServer;
  using Record = Server::Record;

  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Server>> server =
        Server::Start(Server::Options{});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    OpenStore();
  }

  void OpenStore() {
    store_.reset();
    ClearinghouseStore::Options options;
    options.path = dir_.File("clearinghouses.sqlite");
    absl::StatusOr<std::unique_ptr<ClearinghouseStore>> store =
        ClearinghouseStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  StopNciiIndexSource::Options SourceOptions() {
    StopNciiIndexSource::Options options;
    options.name = "stopncii";
    options.base_url = server_->base_url();
    options.credentials = TestCredentials();
    options.page_size = 2;
    options.http.initial_backoff = absl::Milliseconds(1);
    options.http.sleep = [this](absl::Duration d) { sleeps_.push_back(d); };
    options.now = [this] { return now_; };
    return options;
  }

  std::unique_ptr<StopNciiIndexSource> MakeSource(
      StopNciiIndexSource::Options options) {
    absl::StatusOr<std::unique_ptr<StopNciiIndexSource>> source =
        StopNciiIndexSource::Create(std::move(options), *store_);
    EXPECT_TRUE(source.ok()) << source.status();
    return source.ok() ? *std::move(source) : nullptr;
  }

  // "pdq:<hex>" / "md5:<hex>" of every entry in the store; also checks
  // that each entry's id is its hash and its bank the source's name.
  std::set<std::string> StoredHashes() {
    absl::StatusOr<std::vector<HashEntry>> entries =
        store_->ListEntries("stopncii");
    EXPECT_TRUE(entries.ok()) << entries.status();
    std::set<std::string> out;
    for (const HashEntry& entry : entries.value_or(std::vector<HashEntry>{})) {
      const std::string hex = entry.type == HashType::kPdq
                                  ? entry.pdq.ToHex()
                                  : BytesToHex(entry.digest);
      EXPECT_EQ(entry.entry_id, hex);
      EXPECT_EQ(entry.bank, "stopncii");
      EXPECT_EQ(entry.source_feed, "stopncii");
      out.insert(absl::StrCat(std::string(HashTypeName(entry.type)), ":", hex));
    }
    return out;
  }

  // The same for what the server holds as matchable.
  std::set<std::string> ServerHashes() {
    std::set<std::string> out;
    for (const Record& record : server_->MatchableRecords()) {
      out.insert(
          absl::StrCat(record.signal_type == "ImagePDQ" ? "pdq:" : "md5:",
                       absl::AsciiStrToLower(record.hash_value)));
    }
    return out;
  }

  testing::TempDir dir_{"stopncii-test"};
  std::unique_ptr<Server> server_;
  std::unique_ptr<ClearinghouseStore> store_;
  std::vector<absl::Duration> sleeps_;
  absl::Time now_ = absl::FromUnixSeconds(1800000000);
};

}  // namespace clearmatch

#endif  // CLEARMATCH_CLEARINGHOUSE_STOPNCII_SOURCE_FIXTURE_H_
