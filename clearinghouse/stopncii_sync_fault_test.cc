// StopNciiIndexSource when the server misbehaves: every fault class of the
// test server, bad keys, Retry-After, and a sync killed with SIGKILL.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "absl/status/status.h"
#include "clearinghouse/stopncii_index_source.h"
#include "clearinghouse/stopncii_source_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::Contains;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::Pair;

class StopNciiSyncFaultTest : public StopNciiSourceFixture {
 protected:
  // Six active PDQ records at 100..105, synced; then six more at 200..205.
  void SyncFirstSetThenAddSecond() {
    for (int i = 0; i < 6; ++i) {
      server_->Upsert({100 + i, "ImagePDQ", TestPdq(i), "Active"});
    }
    ASSERT_TRUE(MakeSource(SourceOptions())->Sync().ok());
    for (int i = 6; i < 12; ++i) {
      server_->Upsert({200 + i, "ImagePDQ", TestPdq(i), "Active"});
    }
  }
};

using Fault = testing::StopNciiTestServer::Fault;
using FaultSpec = testing::StopNciiTestServer::FaultSpec;

struct FaultCase {
  const char* name;
  FaultSpec fault;
  absl::StatusCode code;
  const char* message;  // in the error
};

class StopNciiFaultClassTest : public StopNciiSyncFaultTest,
                               public ::testing::WithParamInterface<FaultCase> {
};

// The second page of the second run is bad: the first page of that run
// stays applied, the bad page does not, the error names the problem, and
// the next Sync (server healthy again) resumes and ends equal to the server.
TEST_P(StopNciiFaultClassTest, ABadPageIsRefusedAndTheGoodStateStays) {
  SyncFirstSetThenAddSecond();
  StopNciiIndexSource::Options options = SourceOptions();
  options.http.max_attempts = 1;
  options.limits.max_page_bytes = size_t{1} << 20;
  auto source = MakeSource(options);
  server_->AddFault(Server::Endpoint::kFetchHashes, GetParam().fault, 2);
  absl::StatusOr<EntryChanges> failed = source->Sync();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), GetParam().code) << failed.status();
  EXPECT_THAT(failed.status().message(), HasSubstr(GetParam().message));
  EXPECT_THAT(failed.status().message(),
              ::testing::Not(HasSubstr("test-fetch-hashes-key")));
  EXPECT_EQ(*store_->CountEntries("stopncii"), 8);  // 6 + the first page
  EXPECT_EQ(source->State()->version, 4u);  // 3 pages, then 1 of this run
  absl::StatusOr<EntryChanges> healed = source->Sync();
  ASSERT_TRUE(healed.ok()) << healed.status();
  EXPECT_EQ(healed->added.size(), 4u);  // from the refused page on
  EXPECT_EQ(StoredHashes(), ServerHashes());
}

INSTANTIATE_TEST_SUITE_P(
    Faults, StopNciiFaultClassTest,
    ::testing::Values(
        FaultCase{"status500", FaultSpec::Status(500),
                  absl::StatusCode::kUnavailable, "500"},
        FaultCase{"status429", FaultSpec::Status(429, "1"),
                  absl::StatusCode::kUnavailable, "429"},
        FaultCase{"reset", FaultSpec::Of(Fault::kReset),
                  absl::StatusCode::kUnavailable, "FetchHashes"},
        FaultCase{"truncated", FaultSpec::Of(Fault::kTruncatedJson),
                  absl::StatusCode::kInvalidArgument, "not valid JSON"},
        FaultCase{"oversize", FaultSpec::Of(Fault::kOversizePage),
                  absl::StatusCode::kResourceExhausted, "FetchHashes"},
        FaultCase{"wrong_length_hash", FaultSpec::Of(Fault::kWrongLengthHash),
                  absl::StatusCode::kInvalidArgument,
                  "hashValue: ImagePDQ hash has 63 hex digits"},
        FaultCase{"wrong_type", FaultSpec::Of(Fault::kWrongType),
                  absl::StatusCode::kInvalidArgument,
                  "lastModtimestamp: not an integer"}),
    [](const ::testing::TestParamInfo<FaultCase>& info) {
      return std::string(info.param.name);
    });

TEST_F(StopNciiSyncFaultTest, UnknownEnumValuesAreCountedNotFatal) {
  SyncFirstSetThenAddSecond();
  auto source = MakeSource(SourceOptions());
  server_->AddFault(Server::Endpoint::kFetchHashes,
                    FaultSpec::Of(Fault::kUnknownEnums), 2);
  absl::StatusOr<EntryChanges> changes = source->Sync();
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_EQ(StoredHashes(), ServerHashes());
  EXPECT_THAT(source->State()->skipped,
              Contains(Pair("signal:HologramXYZ", 1)));
  EXPECT_THAT(source->State()->skipped, Contains(Pair("status:Frozen", 1)));
}

TEST_F(StopNciiSyncFaultTest, RetriesHonourRetryAfter) {
  SyncFirstSetThenAddSecond();
  auto source = MakeSource(SourceOptions());  // 4 attempts
  server_->AddFault(Server::Endpoint::kFetchHashes, FaultSpec::Status(429, "3"),
                    1);
  server_->AddFault(Server::Endpoint::kFetchHashes, FaultSpec::Status(503), 3);
  absl::StatusOr<EntryChanges> changes = source->Sync();
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_EQ(StoredHashes(), ServerHashes());
  ASSERT_FALSE(sleeps_.empty());
  EXPECT_THAT(sleeps_[0], Ge(absl::Seconds(3)));
}

TEST_F(StopNciiSyncFaultTest, BadKeysAreUnauthenticatedAndNeverQuoted) {
  server_->Upsert({100, "ImagePDQ", TestPdq(0), "Active"});
  for (int which = 0; which < 2; ++which) {
    StopNciiIndexSource::Options options = SourceOptions();
    (which == 0 ? options.credentials.subscription_key
                : options.credentials.fetch_hashes_key) = "wrong-key-value";
    auto source = MakeSource(options);
    absl::StatusOr<EntryChanges> changes = source->Sync();
    EXPECT_EQ(changes.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_THAT(changes.status().message(),
                ::testing::Not(HasSubstr("wrong-key-value")));
    EXPECT_FALSE(source->State()->synced);
  }
  EXPECT_EQ(*store_->CountEntries("stopncii"), 0);
}

// A child process syncs; the server holds its fourth page; the child is
// killed with SIGKILL. Reopened, the store has the three pages committed
// before, and a new source resumes there and ends equal to the server.
TEST_F(StopNciiSyncFaultTest, KilledMidSyncLosesNothing) {
  for (int i = 0; i < 20; ++i) {
    server_->Upsert({100 + i, "ImagePDQ", TestPdq(i), "Active"});
  }
  StopNciiIndexSource::Options options = SourceOptions();
  options.records_per_transaction = 1;  // every page its own transaction
  const std::string path = dir_.File("clearinghouses.sqlite");
  store_.reset();  // no SQLite connection across fork()
  server_->HoldFetch(4);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ClearinghouseStore::Options store_options;
    store_options.path = path;
    absl::StatusOr<std::unique_ptr<ClearinghouseStore>> store =
        ClearinghouseStore::Open(store_options);
    if (!store.ok()) _exit(2);
    auto source = StopNciiIndexSource::Create(options, **store);
    if (!source.ok()) _exit(3);
    (void)(*source)->Sync();
    _exit(0);
  }
  const bool held = server_->WaitUntilHeld(absl::Seconds(60));
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(held) << "the child never asked for page 4";
  EXPECT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL);
  server_->Release();
  // Meanwhile: a withdrawal of an entry the child applied, and a new one.
  server_->Upsert({500, "ImagePDQ", TestPdq(0), "Withdrawn"});
  server_->Upsert({501, "VideoMD5", TestMd5(1), "Active"});
  OpenStore();
  EXPECT_EQ(*store_->CountEntries("stopncii"), 6);
  auto source = MakeSource(options);
  ASSERT_TRUE(source->Sync().ok());
  EXPECT_EQ(server_->fetch_requests(), 11);  // pages 4..10, not 1..10 again
  ASSERT_TRUE(source->Sync().ok());          // the run with the later changes
  EXPECT_EQ(StoredHashes(), ServerHashes());
  EXPECT_EQ(StoredHashes().size(), 20u);
}

}  // namespace
}  // namespace clearmatch
