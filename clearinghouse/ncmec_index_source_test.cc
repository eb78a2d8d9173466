// NcmecIndexSource against NcmecTestServer (real HTTP on loopback) and a
// real ClearinghouseStore: what ends up in the store, and in the index the
// returned changes build, must be the server's set.
#include "clearinghouse/ncmec_index_source.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "clearinghouse/clearinghouse_store.h"
#include "common/hex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/ncmec_test_server.h"
#include "testing/temp_dir.h"
#include "testing/test_pki.h"

namespace clearmatch {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using Fault = testing::NcmecTestServer::Fault;
using ServerEntry = testing::NcmecTestServer::Entry;

constexpr int64_t kStart = 1700000000;  // 2023-11-14T22:13:20Z

// One hash as a test sees it: (entry id, type, hex, category, added_at).
using Row =
    std::tuple<std::string, std::string, std::string, std::string, int64_t>;

std::string Hex(int digits, int64_t n, int salt) {
  return absl::StrFormat("%0*x", digits, n * 7919 + salt);
}

ServerEntry Image(int64_t n, int64_t timestamp) {
  ServerEntry e;
  e.member_id = 40 + n % 3;
  e.id = absl::StrCat("img-", n);
  e.timestamp = timestamp;
  e.classification = n % 2 ? "A1" : "B2";
  e.fingerprints = {{"md5", Hex(32, n, 1)},
                    {"sha1", Hex(40, n, 2)},
                    {"pdq", Hex(64, n, 3)},
                    {"pdna", "1,2,3"},
                    {"netclean", Hex(20, n, 4)}};
  return e;
}

ServerEntry Video(int64_t n, int64_t timestamp) {
  ServerEntry e;
  e.video = true;
  e.member_id = 50;
  e.id = absl::StrCat("vid-", n);
  e.timestamp = timestamp;
  e.fingerprints = {{"md5", Hex(32, n, 5)},
                    {"sha1", Hex(40, n, 6)},
                    {"tmk_pdqf", ""},
                    {"videntifier", "v"}};
  return e;
}

// What the server holds, as rows: image md5/sha1/pdq, video md5/sha1.
std::set<Row> Expected(const testing::NcmecTestServer& server) {
  std::set<Row> rows;
  for (const auto& [key, e] : server.entries()) {
    if (e.deleted) continue;
    for (const auto& [type, value] : e.fingerprints) {
      if (type == "md5" || type == "sha1" || (type == "pdq" && !e.video)) {
        rows.emplace(absl::StrCat(e.member_id, "-", e.id), type, value,
                     e.classification, e.timestamp);
      }
    }
  }
  return rows;
}

Row RowOf(const HashEntry& entry) {
  return {entry.entry_id, std::string(HashTypeName(entry.type)),
          entry.type == HashType::kPdq ? entry.pdq.ToHex()
                                       : BytesToHex(entry.digest),
          entry.category, entry.added_at};
}

class NcmecIndexSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer({}); }

  void StartServer(testing::NcmecTestServer::Options options) {
    options.page_size = 10;
    options.oversize_bytes = 2 << 20;
    auto server = testing::NcmecTestServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto store = ClearinghouseStore::Open({dir_.File("clearinghouses.sqlite")});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  NcmecIndexSource::Options SourceOptions() {
    NcmecIndexSource::Options o;
    o.base_url = server_->base_url();
    o.credentials = {"platform", "secret"};
    o.start_time_unix_seconds = kStart;
    o.initial_window = absl::Seconds(100);
    o.shrink_above_entries = 50;
    o.grow_below_entries = 10;
    o.now = [this] { return absl::FromUnixSeconds(now_); };
    o.http.max_attempts = 3;
    o.http.initial_backoff = absl::Milliseconds(1);
    o.http.sleep = [this](absl::Duration d) { sleeps_.push_back(d); };
    return o;
  }

  std::unique_ptr<NcmecIndexSource> MakeSource(
      NcmecIndexSource::Options options) {
    auto source = NcmecIndexSource::Create(std::move(options), *store_);
    EXPECT_TRUE(source.ok()) << source.status();
    return source.ok() ? *std::move(source) : nullptr;
  }

  // Syncs and applies the changes to model_ the way the index does.
  absl::Status SyncAndApply(NcmecIndexSource& source) {
    absl::StatusOr<EntryChanges> changes = source.Sync();
    if (!changes.ok()) return changes.status();
    EXPECT_FALSE(changes->full_reload);
    for (const EntryKey& key : changes->removed) {
      EXPECT_EQ(key.source_feed, "ncmec");
      model_.erase(key.entry_id);
    }
    for (const HashEntry& entry : changes->added) {
      model_[entry.entry_id].insert(RowOf(entry));
    }
    return absl::OkStatus();
  }

  std::set<Row> ModelRows() const {
    std::set<Row> rows;
    for (const auto& [id, set] : model_) rows.insert(set.begin(), set.end());
    return rows;
  }

  std::set<Row> StoreRows() {
    std::set<Row> rows;
    auto entries = store_->ListEntries("ncmec");
    EXPECT_TRUE(entries.ok()) << entries.status();
    for (const HashEntry& e : *entries) {
      EXPECT_EQ(e.bank, "ncmec");
      EXPECT_EQ(e.source_feed, "ncmec");
      rows.insert(RowOf(e));
    }
    return rows;
  }

  void ExpectInStep() {
    const std::set<Row> expected = Expected(*server_);
    EXPECT_EQ(StoreRows(), expected);
    EXPECT_EQ(ModelRows(), expected);
  }

  SourceProgress Progress() {
    auto progress = store_->GetProgress("ncmec");
    EXPECT_TRUE(progress.ok() && progress->has_value());
    return progress.ok() && progress->has_value() ? **progress
                                                  : SourceProgress();
  }

  // 25 images and 10 videos over two minutes, out of order.
  void AddThirtyFive() {
    for (int n = 0; n < 25; ++n) server_->Add(Image(n, kStart + 10 + n * 3));
    for (int n = 0; n < 10; ++n) server_->Add(Video(n, kStart + 20 + n * 7));
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::NcmecTestServer> server_;
  std::unique_ptr<ClearinghouseStore> store_;
  int64_t now_ = kStart + 3600;
  std::vector<absl::Duration> sleeps_;
  std::map<std::string, std::set<Row>> model_;
};

TEST_F(NcmecIndexSourceTest, SyncsPagesOfImagesAndVideosWithEveryFingerprint) {
  AddThirtyFive();
  auto source = MakeSource(SourceOptions());
  ASSERT_TRUE(SyncAndApply(*source).ok());
  ExpectInStep();
  EXPECT_EQ(Expected(*server_).size(), 25u * 3 + 10u * 2);

  // Four pages of one window, the later ones by their next links.
  int followed = 0;
  for (const std::string& path : server_->entries_requests()) {
    if (absl::StrContains(path, "start=")) ++followed;
  }
  EXPECT_EQ(followed, 3);
  absl::StatusOr<SourceState> state = source->State();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_TRUE(state->synced);
  EXPECT_EQ(state->entries, 95);
  EXPECT_EQ(
      state->entries_by_type,
      (std::map<std::string, int64_t>{{"md5", 35}, {"sha1", 35}, {"pdq", 25}}));
  EXPECT_EQ(state->skipped,
            (std::map<std::string, int64_t>{{"fingerprint:pdna", 25},
                                            {"fingerprint:netclean", 25},
                                            {"fingerprint:tmk_pdqf", 10},
                                            {"fingerprint:videntifier", 10}}));
  EXPECT_GE(state->version, 4u);
  // The checkpoint reached now - 5 s, and no window ended later.
  EXPECT_TRUE(
      absl::StartsWith(Progress().checkpoint, absl::StrCat(now_ - 5, " ")));
  EXPECT_EQ(Progress().cursor, "");
}

TEST_F(NcmecIndexSourceTest, WindowsGrowOverEmptyTimeAndNeverEndInTheFuture) {
  now_ = kStart + 30 * 86400;
  server_->Add(Image(1, kStart + 20 * 86400));
  auto source = MakeSource(SourceOptions());
  ASSERT_TRUE(SyncAndApply(*source).ok());
  ExpectInStep();
  // 30 days from a 100 s window doubling: about 15 requests, not 26000.
  EXPECT_LT(server_->entries_requests().size(), 25u);
  for (const std::string& path : server_->entries_requests()) {
    EXPECT_THAT(path, Not(HasSubstr(NcmecClient::FormatTime(
                          absl::FromUnixSeconds(now_ - 4)))));
  }
  EXPECT_TRUE(
      absl::StartsWith(Progress().checkpoint, absl::StrCat(now_ - 5, " ")));
}

TEST_F(NcmecIndexSourceTest, ADenseSecondOverThePageSizeIsPagedToTheEnd) {
  for (int n = 0; n < 120; ++n) server_->Add(Image(n, kStart + 50));
  server_->Add(Video(1, kStart + 49));
  server_->Add(Video(2, kStart + 52));
  auto source = MakeSource(SourceOptions());
  ASSERT_TRUE(SyncAndApply(*source).ok());
  ExpectInStep();
  // Shrunk to a one-second window around the dense second, then 12+ pages.
  const std::string from = absl::StrReplaceAll(
      NcmecClient::FormatTime(absl::FromUnixSeconds(kStart + 49)),
      {{":", "%3A"}});
  const std::string to = absl::StrReplaceAll(
      NcmecClient::FormatTime(absl::FromUnixSeconds(kStart + 50)),
      {{":", "%3A"}});
  bool paged_one_second = false;
  for (const std::string& path : server_->entries_requests()) {
    if (absl::StrContains(
            path, absl::StrCat("from=", from, "&to=", to, "&start=121"))) {
      paged_one_second = true;
    }
  }
  EXPECT_TRUE(paged_one_second);
}

TEST_F(NcmecIndexSourceTest, AReplacedEntryAndATombstoneTakeEffect) {
  AddThirtyFive();
  auto source = MakeSource(SourceOptions());
  ASSERT_TRUE(SyncAndApply(*source).ok());
  ServerEntry replaced = Image(3, now_ - 3);
  replaced.fingerprints = {{"md5", Hex(32, 1003, 1)}};
  replaced.classification = "A2";
  server_->Add(replaced);
  ServerEntry withdrawn = Video(4, now_ - 2);
  withdrawn.deleted = true;
  withdrawn.fingerprints.clear();
  server_->Add(withdrawn);
  now_ += 60;
  ASSERT_TRUE(SyncAndApply(*source).ok());
  ExpectInStep();
  const std::set<Row> rows = StoreRows();
  EXPECT_THAT(rows, Contains(Row{absl::StrCat(replaced.member_id, "-img-3"),
                                 "md5", Hex(32, 1003, 1), "A2", now_ - 63}));
  for (const Row& row : rows) {
    EXPECT_NE(std::get<0>(row), "50-vid-4");
    EXPECT_NE(std::get<2>(row), Hex(32, 3, 1));  // the old md5 of img-3
  }
}

TEST_F(NcmecIndexSourceTest, WrongCredentialsAreUnauthenticated) {
  AddThirtyFive();
  NcmecIndexSource::Options options = SourceOptions();
  options.credentials.password = "wrong-password";
  auto source = MakeSource(options);
  absl::StatusOr<EntryChanges> changes = source->Sync();
  EXPECT_EQ(changes.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(changes.status().message(), HasSubstr("ncmec"));
  EXPECT_THAT(changes.status().message(), Not(HasSubstr("wrong-password")));
  EXPECT_TRUE(StoreRows().empty());
}

TEST_F(NcmecIndexSourceTest, ResumesFromAStoredCursor) {
  AddThirtyFive();
  NcmecIndexSource::Options options = SourceOptions();
  options.max_pages_per_sync = 2;
  auto source = MakeSource(options);
  ASSERT_TRUE(SyncAndApply(*source).ok());
  SourceProgress progress = Progress();
  EXPECT_THAT(progress.cursor, HasSubstr("start=21"));
  EXPECT_TRUE(
      absl::StartsWith(progress.checkpoint, absl::StrCat(kStart, " 2")));
  EXPECT_EQ(progress.cursor_saved_at, now_);
  EXPECT_EQ(StoreRows().size(), ModelRows().size());

  // A new source (a restart) continues the window at its next link.
  const size_t before = server_->entries_requests().size();
  now_ += 600;
  auto restarted = MakeSource(options);
  ASSERT_TRUE(SyncAndApply(*restarted).ok());
  ASSERT_TRUE(SyncAndApply(*restarted).ok());
  ExpectInStep();
  EXPECT_THAT(server_->entries_requests()[before], HasSubstr("start=21"));
}

TEST_F(NcmecIndexSourceTest, IsSyncedOnlyOnceTheWholeListWasRead) {
  AddThirtyFive();
  NcmecIndexSource::Options options = SourceOptions();
  options.max_pages_per_sync = 2;
  auto source = MakeSource(options);
  ASSERT_TRUE(SyncAndApply(*source).ok());
  ASSERT_FALSE(StoreRows().empty());
  EXPECT_FALSE(source->State()->synced);  // entries, but not all of them
  for (int i = 0; i < 20 && !source->State()->synced; ++i) {
    ASSERT_TRUE(SyncAndApply(*source).ok());
  }
  EXPECT_TRUE(source->State()->synced);
  ExpectInStep();
  // A restart keeps it (the checkpoint says so).
  EXPECT_TRUE(MakeSource(options)->State()->synced);
}

TEST_F(NcmecIndexSourceTest, AnExpiredCursorRestartsItsWindow) {
  AddThirtyFive();
  NcmecIndexSource::Options options = SourceOptions();
  options.max_pages_per_sync = 2;
  auto source = MakeSource(options);
  ASSERT_TRUE(SyncAndApply(*source).ok());
  const size_t before = server_->entries_requests().size();
  const std::string first = server_->entries_requests()[0];
  now_ += 13 * 3600;
  options.max_pages_per_sync = 1000;
  auto restarted = MakeSource(options);
  ASSERT_TRUE(SyncAndApply(*restarted).ok());
  ExpectInStep();
  // The same window again from its first page.
  EXPECT_EQ(server_->entries_requests()[before], first);
  EXPECT_EQ(Progress().cursor, "");
}

TEST_F(NcmecIndexSourceTest, SyncsOverHttpsWithTheTestCa) {
  auto pki = testing::TestPki::Create(dir_.path(), "test-ca");
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto files = pki->Issue(testing::TestPki::Server("server"));
  ASSERT_TRUE(files.ok()) << files.status();
  testing::NcmecTestServer::Options tls;
  tls.cert_file = files->cert_file;
  tls.key_file = files->key_file;
  StartServer(tls);
  ASSERT_TRUE(absl::StartsWith(server_->base_url(), "https://"));
  AddThirtyFive();
  NcmecIndexSource::Options options = SourceOptions();
  options.ca_file = pki->ca_file();
  auto source = MakeSource(options);
  ASSERT_TRUE(SyncAndApply(*source).ok());
  ExpectInStep();
}

TEST_F(NcmecIndexSourceTest, RefusesPlainHttpBeyondLoopback) {
  NcmecIndexSource::Options options = SourceOptions();
  options.base_url = "http://example.org/hashsharing";
  auto source = NcmecIndexSource::Create(options, *store_);
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(source.status().message(), HasSubstr("base_url"));
}

// The child of AKilledSyncLosesNothing: this binary run again (no threads
// inherited from the test), syncing the store at $NCMEC_CHILD_STORE from
// the server at $NCMEC_CHILD_URL. Skipped in a normal run.
TEST(NcmecKilledChild, Sync) {
  const char* url = getenv("NCMEC_CHILD_URL");
  const char* path = getenv("NCMEC_CHILD_STORE");
  if (url == nullptr || path == nullptr) GTEST_SKIP() << "child only";
  auto store = ClearinghouseStore::Open({path});
  if (!store.ok()) _exit(2);
  NcmecIndexSource::Options options;
  options.base_url = url;
  options.credentials = {"platform", "secret"};
  options.start_time_unix_seconds = kStart;
  options.initial_window = absl::Seconds(100);
  options.now = [] { return absl::FromUnixSeconds(kStart + 3600); };
  auto source = NcmecIndexSource::Create(options, **store);
  if (!source.ok()) _exit(3);
  (void)(*source)->Sync();
  _exit(0);
}

TEST_F(NcmecIndexSourceTest, AKilledSyncLosesNothing) {
  for (int n = 0; n < 60; ++n) server_->Add(Image(n, kStart + 10 + n));
  NcmecIndexSource::Options options = SourceOptions();
  server_->HoldRequest(3);  // the fourth page
  const std::string url = "NCMEC_CHILD_URL=" + server_->base_url();
  const std::string path =
      "NCMEC_CHILD_STORE=" + dir_.File("clearinghouses.sqlite");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const char* argv[] = {"/proc/self/exe",
                          "--gtest_filter=NcmecKilledChild.Sync", nullptr};
    const char* envp[] = {url.c_str(), path.c_str(), nullptr};
    execve(argv[0], const_cast<char**>(argv), const_cast<char**>(envp));
    _exit(127);
  }
  ASSERT_TRUE(server_->WaitForHeld(absl::Seconds(30)));
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  EXPECT_TRUE(WIFSIGNALED(wstatus));
  server_->Release();

  store_.reset();
  auto store = ClearinghouseStore::Open({dir_.File("clearinghouses.sqlite")});
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = *std::move(store);
  ASSERT_TRUE(store_->CheckIntegrity().ok());
  // Killed mid-window (the fourth page was being fetched, the third perhaps
  // being stored): what was committed is whole pages of the server's set.
  SourceProgress progress = Progress();
  EXPECT_TRUE(absl::StrContains(progress.cursor, "start=21") ||
              absl::StrContains(progress.cursor, "start=31"))
      << progress.cursor;
  const std::set<Row> expected = Expected(*server_);
  const std::set<Row> kept = StoreRows();
  EXPECT_TRUE(kept.size() == 20u * 3 || kept.size() == 30u * 3);
  for (const Row& row : kept) EXPECT_THAT(expected, Contains(row));
  auto source = MakeSource(options);
  ASSERT_TRUE(source->Sync().ok());
  EXPECT_EQ(StoreRows(), Expected(*server_));
}

struct FaultCase {
  const char* name;
  Fault fault;
  // Consecutive requests that get it (libcurl itself retries a request
  // once on a reused connection that was reset).
  int times;
  absl::StatusCode code;
  const char* message;
};

class NcmecFaultTest : public NcmecIndexSourceTest,
                       public ::testing::WithParamInterface<FaultCase> {};

// The second page of a window fails: the first stays applied, the window
// does not count as done, and the next Sync completes it.
TEST_P(NcmecFaultTest, AFailedPageKeepsTheLastGoodState) {
  const FaultCase& c = GetParam();
  AddThirtyFive();
  NcmecIndexSource::Options options = SourceOptions();
  options.limits.max_bytes = 1 << 20;
  auto source = MakeSource(options);
  std::vector<Fault> faults = {Fault::kNone};
  faults.insert(faults.end(), c.times, c.fault);
  server_->QueueFaults(faults);
  absl::Status status = SyncAndApply(*source);
  server_->ClearFaults();
  EXPECT_EQ(status.code(), c.code) << status;
  EXPECT_THAT(status.message(), HasSubstr(c.message));
  EXPECT_THAT(status.message(), Not(HasSubstr("secret")));
  const SourceProgress progress = Progress();
  EXPECT_TRUE(absl::StartsWith(progress.checkpoint, absl::StrCat(kStart, " ")));
  EXPECT_THAT(progress.cursor, HasSubstr("start=11"));
  // Page 1 (ten entries) is committed, nothing of the failed page.
  const std::set<Row> expected = Expected(*server_);
  const std::set<Row> kept = StoreRows();
  EXPECT_GE(kept.size(), 10u * 2);
  EXPECT_LE(kept.size(), 10u * 3);
  for (const Row& row : kept) EXPECT_THAT(expected, Contains(row));

  // As the manager does after an error that moved the version: rebuild.
  model_.clear();
  absl::StatusOr<std::vector<HashEntry>> all = store_->ListEntries("ncmec");
  ASSERT_TRUE(all.ok()) << all.status();
  for (const HashEntry& e : *all) model_[e.entry_id].insert(RowOf(e));
  ASSERT_TRUE(SyncAndApply(*source).ok());
  ExpectInStep();
}

TEST_F(NcmecIndexSourceTest, RetryAfterIsHonoured) {
  AddThirtyFive();
  server_->QueueFaults({Fault::kNone, Fault::kTooManyRequests});
  auto source = MakeSource(SourceOptions());
  ASSERT_TRUE(SyncAndApply(*source).ok());
  ExpectInStep();
  ASSERT_FALSE(sleeps_.empty());
  EXPECT_GE(sleeps_[0], absl::Seconds(1));
}

TEST_F(NcmecIndexSourceTest, UnknownElementsAndValuesAreTolerated) {
  AddThirtyFive();
  server_->QueueFaults({Fault::kUnknownElements, Fault::kUnknownElements});
  auto source = MakeSource(SourceOptions());
  ASSERT_TRUE(SyncAndApply(*source).ok());
  EXPECT_EQ(StoreRows().size(), Expected(*server_).size());
  absl::StatusOr<SourceState> state = source->State();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->skipped.at("fingerprint:futurehash"), 20);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, NcmecFaultTest,
    ::testing::Values(
        FaultCase{"TooManyRequests", Fault::kTooManyRequests, 3,
                  absl::StatusCode::kUnavailable, "gave up after 3 attempts"},
        FaultCase{"ServerError", Fault::kServerError, 3,
                  absl::StatusCode::kUnavailable, "500"},
        FaultCase{"Reset", Fault::kReset, 6, absl::StatusCode::kUnavailable,
                  "gave up after 3 attempts"},
        FaultCase{"TruncatedBody", Fault::kTruncatedBody, 3,
                  absl::StatusCode::kUnavailable, "truncated"},
        FaultCase{"TruncatedXml", Fault::kTruncatedXml, 1,
                  absl::StatusCode::kInvalidArgument, "not well-formed"},
        FaultCase{"EntityBomb", Fault::kEntityBomb, 1,
                  absl::StatusCode::kInvalidArgument, "declares a DTD"},
        FaultCase{"Oversize", Fault::kOversize, 1,
                  absl::StatusCode::kResourceExhausted, ""},
        FaultCase{"WrongLengthHash", Fault::kWrongLengthHash, 1,
                  absl::StatusCode::kDataLoss,
                  "md5 has 31 hex digits, expected 32"}),
    [](const ::testing::TestParamInfo<FaultCase>& info) {
      return std::string(info.param.name);
    });

}  // namespace
}  // namespace clearmatch
