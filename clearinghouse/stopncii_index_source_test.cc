// StopNciiIndexSource against the loopback StopNCII server: paging,
// replacement, withdrawal, signal types, resuming, HTTPS.
#include "clearinghouse/stopncii_index_source.h"

#include <algorithm>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "clearinghouse/stopncii_source_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_pki.h"

namespace clearmatch {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

class StopNciiIndexSourceTest : public StopNciiSourceFixture {
 protected:
  // Five PDQ and two MD5 records, all active, at times 100..106: four
  // pages of two.
  void AddSevenRecords() {
    for (int i = 0; i < 5; ++i) {
      server_->Upsert({100 + i, "ImagePDQ", TestPdq(i), "Active"});
    }
    server_->Upsert(
        {105, "VideoMD5", absl::AsciiStrToUpper(TestMd5(0)), "Received"});
    server_->Upsert({106, "VideoMD5", TestMd5(1), "Active"});
  }
};

TEST_F(StopNciiIndexSourceTest, PagesThroughEveryRecordIntoTheStore) {
  AddSevenRecords();
  auto source = MakeSource(SourceOptions());
  absl::StatusOr<EntryChanges> changes = source->Sync();
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_EQ(server_->fetch_requests(), 4);
  EXPECT_EQ(changes->added.size(), 7u);
  EXPECT_TRUE(changes->removed.empty());
  EXPECT_EQ(StoredHashes(), ServerHashes());
  EXPECT_THAT(StoredHashes(), Contains("md5:" + TestMd5(0)));  // lowercased
  // Every request carried the subscription key and FetchHashes' own key.
  for (const Server::Keys& keys : server_->fetch_keys()) {
    EXPECT_EQ(keys.subscription_key, "test-subscription-key");
    EXPECT_EQ(keys.functions_key, "test-fetch-hashes-key");
  }
  absl::StatusOr<SourceState> state = source->State();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_TRUE(state->synced);
  EXPECT_EQ(state->version, 4u);
  EXPECT_EQ(state->entries, 7);
  EXPECT_THAT(state->entries_by_type,
              ElementsAre(Pair("md5", 2), Pair("pdq", 5)));
  EXPECT_EQ(state->published, absl::FromUnixSeconds(107));  // nextSetTimestamp
  const auto added =
      std::find_if(changes->added.begin(), changes->added.end(),
                   [](const HashEntry& e) { return e.entry_id == TestPdq(3); });
  ASSERT_NE(added, changes->added.end());
  EXPECT_EQ(added->type, HashType::kPdq);
  EXPECT_EQ(added->added_at, 103);
}

TEST_F(StopNciiIndexSourceTest, NextSyncStartsAtTheCheckpoint) {
  AddSevenRecords();
  auto source = MakeSource(SourceOptions());
  ASSERT_TRUE(source->Sync().ok());
  const std::string key_before = *source->ContentKey();
  // Nothing new: one page, nothing applied, version still moves by a page.
  absl::StatusOr<EntryChanges> idle = source->Sync();
  ASSERT_TRUE(idle.ok()) << idle.status();
  EXPECT_TRUE(idle->empty());
  EXPECT_EQ(server_->fetch_requests(), 5);
  server_->Upsert({200, "ImagePDQ", TestPdq(9), "Active"});
  absl::StatusOr<EntryChanges> next = source->Sync();
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_EQ(next->added.size(), 1u);  // only the new record was fetched
  EXPECT_EQ(next->added[0].entry_id, TestPdq(9));
  EXPECT_NE(*source->ContentKey(), key_before);
  EXPECT_EQ(source->State()->published, absl::FromUnixSeconds(201));
}

TEST_F(StopNciiIndexSourceTest, ARecordReplacesTheEarlierOne) {
  AddSevenRecords();
  auto source = MakeSource(SourceOptions());
  ASSERT_TRUE(source->Sync().ok());
  server_->Upsert({300, "ImagePDQ", TestPdq(2), "Active"});
  absl::StatusOr<EntryChanges> changes = source->Sync();
  ASSERT_TRUE(changes.ok()) << changes.status();
  ASSERT_EQ(changes->added.size(), 1u);
  EXPECT_EQ(changes->added[0].added_at, 300);
  EXPECT_THAT(changes->removed, ElementsAre(EntryKey{"stopncii", TestPdq(2)}));
  EXPECT_EQ(*store_->CountEntries("stopncii"), 7);
}

TEST_F(StopNciiIndexSourceTest, WithdrawnAndDeletedRemoveTheEntry) {
  AddSevenRecords();
  auto source = MakeSource(SourceOptions());
  ASSERT_TRUE(source->Sync().ok());
  server_->Upsert({300, "ImagePDQ", TestPdq(1), "Withdrawn"});
  server_->Upsert(
      {301, "VideoMD5", absl::AsciiStrToUpper(TestMd5(0)), "Deleted"});
  absl::StatusOr<EntryChanges> changes = source->Sync();
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_TRUE(changes->added.empty());
  EXPECT_THAT(changes->removed, ::testing::UnorderedElementsAre(
                                    EntryKey{"stopncii", TestPdq(1)},
                                    EntryKey{"stopncii", TestMd5(0)}));
  EXPECT_EQ(StoredHashes(), ServerHashes());
  EXPECT_EQ(StoredHashes().size(), 5u);
  // Active again later: back in.
  server_->Upsert({400, "ImagePDQ", TestPdq(1), "Active"});
  ASSERT_TRUE(source->Sync().ok());
  EXPECT_THAT(StoredHashes(), Contains("pdq:" + TestPdq(1)));
}

TEST_F(StopNciiIndexSourceTest, OtherSignalTypesAreCountedNotStored) {
  server_->Upsert({100, "ImagePDQ", TestPdq(0), "Active"});
  server_->Upsert({101, "VideoTMK", "0a0b0c", "Active"});
  server_->Upsert({102, "Text", "74657874", "Active"});
  server_->Upsert({103, "URL", "75726c", "Active"});
  server_->Upsert({104, "Unknown", "00", "Active"});
  server_->Upsert({105, "VideoMD5", TestMd5(0), "Unknown"});
  auto source = MakeSource(SourceOptions());
  ASSERT_TRUE(source->Sync().ok());
  EXPECT_EQ(StoredHashes(), std::set<std::string>{"pdq:" + TestPdq(0)});
  EXPECT_THAT(source->State()->skipped,
              ElementsAre(Pair("signal:Text", 1), Pair("signal:URL", 1),
                          Pair("signal:Unknown", 1), Pair("signal:VideoTMK", 1),
                          Pair("status:Unknown", 1)));
}

TEST_F(StopNciiIndexSourceTest, ABoundedSyncResumesFromItsStoredCursor) {
  AddSevenRecords();
  StopNciiIndexSource::Options options = SourceOptions();
  options.max_pages_per_sync = 2;
  {
    auto source = MakeSource(options);
    absl::StatusOr<EntryChanges> first = source->Sync();
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(first->added.size(), 4u);
    EXPECT_FALSE(source->State()->synced);  // no complete run yet
    EXPECT_EQ(source->State()->version, 2u);
  }
  // A restart (new source, store reopened) a minute later goes on with the
  // stored page token: two more pages, not the run from the start.
  OpenStore();
  now_ += absl::Minutes(1);
  auto source = MakeSource(options);
  absl::StatusOr<EntryChanges> rest = source->Sync();
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(server_->fetch_requests(), 4);
  EXPECT_EQ(rest->added.size(), 3u);
  EXPECT_TRUE(source->State()->synced);
  EXPECT_EQ(StoredHashes(), ServerHashes());
}

TEST_F(StopNciiIndexSourceTest, AnOldOrRefusedCursorRestartsTheRun) {
  AddSevenRecords();
  StopNciiIndexSource::Options options = SourceOptions();
  options.max_pages_per_sync = 2;
  auto source = MakeSource(options);
  ASSERT_TRUE(source->Sync().ok());
  // Too old to try: the run starts again (four pages, one Sync of 2 + 2).
  now_ += absl::Hours(2);
  ASSERT_TRUE(source->Sync().ok());
  EXPECT_EQ(server_->fetch_requests(), 4);
  EXPECT_FALSE(source->State()->synced);
  // Young, but the server has forgotten it: refused, then the run again.
  server_->ExpireTokens();
  ASSERT_TRUE(source->Sync().ok());
  EXPECT_EQ(server_->fetch_requests(), 7);
  ASSERT_TRUE(source->Sync().ok());
  EXPECT_TRUE(source->State()->synced);
  EXPECT_EQ(StoredHashes(), ServerHashes());
}

TEST_F(StopNciiIndexSourceTest, HttpIsOnlyForLoopback) {
  StopNciiIndexSource::Options options = SourceOptions();
  options.base_url = "http://api.stopncii.example/v1";
  absl::StatusOr<std::unique_ptr<StopNciiIndexSource>> source =
      StopNciiIndexSource::Create(options, *store_);
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(source.status().message(), HasSubstr("base_url"));
}

TEST_F(StopNciiIndexSourceTest, SyncsOverHttpsWithTheTestCa) {
  absl::StatusOr<testing::TestPki> pki =
      testing::TestPki::Create(dir_.path(), "stopncii-ca");
  ASSERT_TRUE(pki.ok()) << pki.status();
  absl::StatusOr<testing::TestPki::Files> cert =
      pki->Issue(testing::TestPki::Server("stopncii-server"));
  ASSERT_TRUE(cert.ok()) << cert.status();
  Server::Options server_options;
  server_options.cert_file = cert->cert_file;
  server_options.key_file = cert->key_file;
  absl::StatusOr<std::unique_ptr<Server>> https = Server::Start(server_options);
  ASSERT_TRUE(https.ok()) << https.status();
  server_ = *std::move(https);
  AddSevenRecords();
  StopNciiIndexSource::Options options = SourceOptions();
  ASSERT_TRUE(options.base_url.starts_with("https://"));
  options.http.max_attempts = 1;
  // Not trusted without the test CA.
  EXPECT_FALSE(MakeSource(options)->Sync().ok());
  EXPECT_EQ(*store_->CountEntries("stopncii"), 0);
  options.ca_file = pki->ca_file();
  absl::StatusOr<EntryChanges> changes = MakeSource(options)->Sync();
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_EQ(StoredHashes(), ServerHashes());
}

}  // namespace
}  // namespace clearmatch
