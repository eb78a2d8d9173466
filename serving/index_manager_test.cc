// IndexManager with fake sources: first load, serving gate, incremental
// apply against a full rebuild, removals, full reload, failures, the
// snapshot file, compaction and the status it reports.
#include "serving/index_manager.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "serving/persisted_index.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A PDQ entry whose code is `seed` repeated (distinct seeds, distinct codes).
HashEntry PdqEntry(const std::string& feed, const std::string& id,
                   uint8_t seed) {
  HashEntry entry;
  entry.type = HashType::kPdq;
  entry.entry_id = id;
  entry.bank = "bank-" + feed;
  entry.source_feed = feed;
  std::array<uint8_t, PdqHash::kBytes> bytes;
  bytes.fill(seed);
  entry.pdq = PdqHash(bytes);
  return entry;
}

// (source_feed, entry_id, pdq hex): what identifies an entry in these tests.
using EntryId = std::tuple<std::string, std::string, std::string>;

EntryId IdOf(const HashEntry& entry) {
  return {entry.source_feed, entry.entry_id, entry.pdq.ToHex()};
}

std::set<EntryId> EntriesOf(const IndexSnapshot& snapshot) {
  std::set<EntryId> ids;
  snapshot.ForEachEntry([&ids](EntryRef, const EntryView& view) {
    ids.insert(IdOf(view.ToHashEntry()));
  });
  return ids;
}

// A PDQ code of `seed` repeated, as PdqEntry makes.
PdqHash PdqCode(uint8_t seed) {
  std::array<uint8_t, PdqHash::kBytes> bytes;
  bytes.fill(seed);
  return PdqHash(bytes);
}

// Polls `condition` until it holds (true) or a minute passed (false).
bool WaitUntil(const std::function<bool()>& condition) {
  const absl::Time deadline = absl::Now() + absl::Minutes(1);
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

// A source whose store is a map, changed by the test between syncs (or
// while the manager's threads sync it). Every change bumps the version and
// is handed out by the next Sync. Fails the test if two of its calls
// (Cancel excepted) ever overlap.
class FakeSource final : public IndexSource {
 public:
  explicit FakeSource(std::string name, bool synced = true)
      : name_(std::move(name)), synced_(synced) {}

  // Commits an entry (replacing one with the same id).
  void Add(const std::string& id, uint8_t seed) {
    absl::MutexLock lock(&mu_);
    entries_[id] = PdqEntry(name_, id, seed);
    touched_.insert(id);
    ++version_;
  }
  void Remove(const std::string& id) {
    absl::MutexLock lock(&mu_);
    entries_.erase(id);
    touched_.insert(id);
    ++version_;
  }
  // As if an earlier process had synced everything so far.
  void ForgetChanges() {
    absl::MutexLock lock(&mu_);
    touched_.clear();
  }
  // Replaces everything; the next Sync asks for a full reload.
  void ReplaceAll(const std::map<std::string, uint8_t>& seeds) {
    absl::MutexLock lock(&mu_);
    entries_.clear();
    for (const auto& [id, seed] : seeds) {
      entries_[id] = PdqEntry(name_, id, seed);
    }
    touched_.clear();
    full_reload_ = true;
    ++version_;
  }
  // The next Sync runs `commit_first` (changes the source commits before
  // it fails, which it then does not hand out) and fails with `error`.
  void FailNextSync(absl::Status error,
                    std::function<void()> commit_first = nullptr) {
    absl::MutexLock lock(&mu_);
    fail_ = std::move(error);
    commit_before_failing_ = std::move(commit_first);
  }
  // Makes ContentKey different without changing the entries.
  void set_key_salt(std::string salt) {
    absl::MutexLock lock(&mu_);
    key_salt_ = std::move(salt);
  }
  // Syncs from now on wait inside Sync until Release() or Cancel().
  void HoldSyncs() {
    absl::MutexLock lock(&mu_);
    hold_ = true;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    hold_ = false;
  }
  void WaitUntilBlocked() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&blocked_));
  }
  bool blocked() const {
    absl::MutexLock lock(&mu_);
    return blocked_;
  }
  // Cancel() adds one to `*counter` (which outlives the source).
  void CountCancelsIn(std::atomic<int>* counter) {
    absl::MutexLock lock(&mu_);
    cancels_ = counter;
  }
  std::set<EntryId> Expected() const {
    absl::MutexLock lock(&mu_);
    std::set<EntryId> ids;
    for (const auto& [id, entry] : entries_) ids.insert(IdOf(entry));
    return ids;
  }
  uint64_t version() const {
    absl::MutexLock lock(&mu_);
    return version_;
  }
  int syncs() const {
    absl::MutexLock lock(&mu_);
    return syncs_;
  }
  int list_calls() const {
    absl::MutexLock lock(&mu_);
    return list_calls_;
  }
  int overlapping_calls() const { return overlapping_calls_.load(); }

  const std::string& name() const override { return name_; }
  SourceKind kind() const override { return SourceKind::kSignedFeed; }
  absl::StatusOr<EntryChanges> Sync() override {
    OneCall call(*this);
    absl::MutexLock lock(&mu_);
    ++syncs_;
    if (hold_) {
      blocked_ = true;
      mu_.Await(absl::Condition(
          +[](FakeSource* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return !self->hold_ || self->cancelled_;
          },
          this));
      blocked_ = false;
    }
    if (cancelled_) return absl::CancelledError("sync cancelled");
    if (fail_.has_value()) {
      if (commit_before_failing_) {
        mu_.Unlock();  // it commits through Add and friends
        commit_before_failing_();
        mu_.Lock();
      }
      absl::Status error = *std::move(fail_);
      fail_.reset();
      touched_.clear();
      return error;
    }
    synced_ = true;
    // Like FeedChanges: each touched key removed, then its entry (if any)
    // added once.
    EntryChanges changes;
    changes.full_reload = std::exchange(full_reload_, false);
    for (const std::string& id : touched_) {
      changes.removed.push_back({name_, id});
      if (auto it = entries_.find(id); it != entries_.end()) {
        changes.added.push_back(it->second);
      }
    }
    touched_.clear();
    return changes;
  }
  absl::StatusOr<std::vector<HashEntry>> ListEntries() override {
    OneCall call(*this);
    absl::MutexLock lock(&mu_);
    ++list_calls_;
    std::vector<HashEntry> all;
    for (const auto& [id, entry] : entries_) all.push_back(entry);
    return all;
  }
  absl::StatusOr<SourceState> State() override {
    OneCall call(*this);
    absl::MutexLock lock(&mu_);
    SourceState state;
    state.id = name_ + "-id";
    state.synced = synced_;
    state.version = version_;
    state.entries = static_cast<int64_t>(entries_.size());
    return state;
  }
  absl::StatusOr<std::string> ContentKey() override {
    OneCall call(*this);
    absl::MutexLock lock(&mu_);
    return absl::StrCat("fake ", name_, " ", version_, key_salt_, "\n");
  }
  void Cancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    if (cancels_ != nullptr) ++*cancels_;
  }

 private:
  // Counts the calls in flight; more than one is a failure.
  class OneCall {
   public:
    explicit OneCall(FakeSource& source) : source_(source) {
      if (source_.in_flight_.fetch_add(1) != 0) {
        ++source_.overlapping_calls_;
        ADD_FAILURE() << source_.name_ << " called from two threads at once";
      }
    }
    ~OneCall() { source_.in_flight_.fetch_sub(1); }

   private:
    FakeSource& source_;
  };

  const std::string name_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> overlapping_calls_{0};
  mutable absl::Mutex mu_;
  bool synced_ ABSL_GUARDED_BY(mu_);
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, HashEntry> entries_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> touched_ ABSL_GUARDED_BY(mu_);  // since the last Sync
  bool full_reload_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> fail_ ABSL_GUARDED_BY(mu_);
  std::function<void()> commit_before_failing_ ABSL_GUARDED_BY(mu_);
  std::string key_salt_ ABSL_GUARDED_BY(mu_);
  int syncs_ ABSL_GUARDED_BY(mu_) = 0;
  int list_calls_ ABSL_GUARDED_BY(mu_) = 0;
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  bool blocked_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<int>* cancels_ ABSL_GUARDED_BY(mu_) = nullptr;
};

class IndexManagerTest : public ::testing::Test {
 protected:
  // A manager over `sources` (borrowed views kept in fakes_).
  std::unique_ptr<IndexManager> MakeManager(
      std::vector<std::unique_ptr<FakeSource>> sources,
      int64_t compact_threshold = 100000,
      absl::Duration sync_interval = absl::ZeroDuration()) {
    std::vector<std::unique_ptr<IndexSource>> owned;
    fakes_.clear();
    for (auto& source : sources) {
      fakes_.push_back(source.get());
      owned.push_back(std::move(source));
    }
    IndexManager::Options options;
    options.data_dir = dir_.path() + "/data";
    options.sync_interval = sync_interval;
    options.builder.compact_threshold = compact_threshold;
    options.on_swap = [this](const IndexStatus& index) {
      absl::MutexLock lock(&reports_mu_);
      swaps_.push_back(index.loaded_from);
      swap_versions_.push_back(index.version);
    };
    options.on_source_status = [this](const SourceStatus& source) {
      absl::MutexLock lock(&reports_mu_);
      source_reports_.push_back(source);
    };
    auto manager =
        IndexManager::Create(std::move(options), std::move(owned), holder_);
    EXPECT_TRUE(manager.ok()) << manager.status();
    return *std::move(manager);
  }
  // One synced source with entries a (seed 1) and b (seed 2).
  std::vector<std::unique_ptr<FakeSource>> OneSource() {
    auto source = std::make_unique<FakeSource>("feed-a");
    source->Add("a", 1);
    source->Add("b", 2);
    source->ForgetChanges();
    std::vector<std::unique_ptr<FakeSource>> sources;
    sources.push_back(std::move(source));
    return sources;
  }
  // A second manager over the same data_dir (as after a restart) with
  // `source`, serving into `holder`, after LoadInitial.
  std::unique_ptr<IndexManager> Restart(std::unique_ptr<FakeSource> source,
                                        IndexHolder& holder) {
    std::vector<std::unique_ptr<IndexSource>> owned;
    owned.push_back(std::move(source));
    IndexManager::Options options;
    options.data_dir = dir_.path() + "/data";
    auto manager = IndexManager::Create(options, std::move(owned), holder);
    EXPECT_TRUE(manager.ok()) << manager.status();
    absl::Status loaded = (*manager)->LoadInitial();
    EXPECT_TRUE(loaded.ok()) << loaded;
    return *std::move(manager);
  }
  std::set<EntryId> Served() const {
    std::shared_ptr<const IndexSnapshot> current = holder_.Current();
    return current == nullptr ? std::set<EntryId>{} : EntriesOf(*current);
  }

  bool IsServed(const std::string& feed, const std::string& id,
                uint8_t seed) const {
    return Served().count(IdOf(PdqEntry(feed, id, seed))) > 0;
  }
  std::vector<IndexOrigin> Swaps() const {
    absl::MutexLock lock(&reports_mu_);
    return swaps_;
  }
  std::vector<uint64_t> SwapVersions() const {
    absl::MutexLock lock(&reports_mu_);
    return swap_versions_;
  }
  std::vector<SourceStatus> Reports() const {
    absl::MutexLock lock(&reports_mu_);
    return source_reports_;
  }

  testing::TempDir dir_{"serving-test"};
  IndexHolder holder_;
  std::vector<FakeSource*> fakes_;
  std::atomic<int> cancels_{0};
  // Written by the manager's threads (on_swap, on_source_status).
  mutable absl::Mutex reports_mu_;
  std::vector<IndexOrigin> swaps_ ABSL_GUARDED_BY(reports_mu_);
  std::vector<uint64_t> swap_versions_ ABSL_GUARDED_BY(reports_mu_);
  std::vector<SourceStatus> source_reports_ ABSL_GUARDED_BY(reports_mu_);
};

TEST_F(IndexManagerTest, FirstLoadBuildsFromTheSourcesAndPersists) {
  auto manager = MakeManager(OneSource());
  ASSERT_TRUE(manager->LoadInitial().ok());
  ASSERT_NE(holder_.Current(), nullptr);
  EXPECT_EQ(Served(), fakes_[0]->Expected());
  const ServingStatus status = manager->GetStatus();
  EXPECT_TRUE(status.index.serving);
  EXPECT_EQ(status.index.version, 2u);
  EXPECT_EQ(status.index.size, 2);
  EXPECT_EQ(status.index.loaded_from, IndexOrigin::kSources);
  EXPECT_NE(status.index.loaded, absl::InfinitePast());
  EXPECT_THAT(Swaps(), ElementsAre(IndexOrigin::kSources));
  PersistedIndex files(dir_.path() + "/data");
  EXPECT_TRUE(std::filesystem::exists(files.snapshot_path()));
  EXPECT_TRUE(std::filesystem::exists(files.sources_path()));
  EXPECT_EQ(fakes_[0]->syncs(), 0);  // loading fetches nothing
}

TEST_F(IndexManagerTest, NotServingUntilEverySourceSyncedOnce) {
  std::vector<std::unique_ptr<FakeSource>> sources = OneSource();
  sources.push_back(std::make_unique<FakeSource>("feed-b", /*synced=*/false));
  auto manager = MakeManager(std::move(sources));
  ASSERT_TRUE(manager->LoadInitial().ok());
  EXPECT_EQ(holder_.Current(), nullptr);
  EXPECT_FALSE(manager->GetStatus().index.serving);
  EXPECT_EQ(manager->GetStatus().index.loaded_from, IndexOrigin::kNone);

  fakes_[1]->Add("c", 3);
  ASSERT_TRUE(manager->SyncOnce().ok());
  ASSERT_NE(holder_.Current(), nullptr);
  std::set<EntryId> expected = fakes_[0]->Expected();
  expected.merge(fakes_[1]->Expected());
  EXPECT_EQ(Served(), expected);
  EXPECT_EQ(manager->GetStatus().index.version, 3u);
  EXPECT_EQ(manager->GetStatus().index.loaded_from, IndexOrigin::kSources);
}

TEST_F(IndexManagerTest, IncrementalApplyEqualsFullRebuild) {
  auto manager = MakeManager(OneSource());
  ASSERT_TRUE(manager->LoadInitial().ok());
  FakeSource& source = *fakes_[0];
  source.Add("c", 3);
  source.Add("a", 9);  // replaces a
  source.Remove("b");
  source.Add("d", 4);
  ASSERT_TRUE(manager->SyncOnce().ok());
  EXPECT_EQ(manager->GetStatus().index.loaded_from, IndexOrigin::kSync);
  EXPECT_EQ(Served(), source.Expected());
  EXPECT_EQ(holder_.Current()->version(), 6u);
  EXPECT_EQ(holder_.Current()->size(), 3);

  IndexBuilder builder(IndexBuilder::Options{});
  auto rebuilt = builder.Build(*source.ListEntries(), 6);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(Served(), EntriesOf(**rebuilt));
}

TEST_F(IndexManagerTest, RemovalsStopMatching) {
  auto manager = MakeManager(OneSource());
  ASSERT_TRUE(manager->LoadInitial().ok());
  fakes_[0]->Remove("a");
  ASSERT_TRUE(manager->SyncOnce().ok());
  std::shared_ptr<const IndexSnapshot> current = holder_.Current();
  EXPECT_EQ(current->size(), 1);
  std::array<uint8_t, PdqHash::kBytes> a_code;
  a_code.fill(1);
  auto hits = current->SearchPdq({PdqHash(a_code)}, 0);
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->empty());
}

TEST_F(IndexManagerTest, FullReloadRebuilds) {
  auto manager = MakeManager(OneSource());
  ASSERT_TRUE(manager->LoadInitial().ok());
  fakes_[0]->ReplaceAll({{"x", 7}, {"y", 8}, {"z", 9}});
  ASSERT_TRUE(manager->SyncOnce().ok());
  EXPECT_EQ(manager->GetStatus().index.loaded_from, IndexOrigin::kSources);
  EXPECT_EQ(Served(), fakes_[0]->Expected());
  EXPECT_EQ(holder_.Current()->delta_size(), 0);
}

TEST_F(IndexManagerTest, NothingNewPublishesNothing) {
  auto manager = MakeManager(OneSource());
  ASSERT_TRUE(manager->LoadInitial().ok());
  std::shared_ptr<const IndexSnapshot> before = holder_.Current();
  ASSERT_TRUE(manager->SyncOnce().ok());
  EXPECT_EQ(holder_.Current(), before);
  EXPECT_EQ(Swaps().size(), 1u);
}

TEST_F(IndexManagerTest, FailingSourceKeepsTheIndexAndReportsItsError) {
  std::vector<std::unique_ptr<FakeSource>> sources = OneSource();
  sources.push_back(std::make_unique<FakeSource>("feed-b"));
  auto manager = MakeManager(std::move(sources));
  ASSERT_TRUE(manager->LoadInitial().ok());
  std::shared_ptr<const IndexSnapshot> before = holder_.Current();
  fakes_[0]->FailNextSync(absl::UnavailableError("feed-a is down"));
  const absl::Status result = manager->SyncOnce();
  EXPECT_EQ(result.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(result.message()), HasSubstr("feed-a is down"));
  EXPECT_EQ(holder_.Current(), before);
  const ServingStatus status = manager->GetStatus();
  EXPECT_TRUE(status.index.serving);
  EXPECT_EQ(status.sources[0].last_result, SyncOutcome::kFailed);
  EXPECT_EQ(status.sources[0].last_error, "feed-a is down");
  EXPECT_EQ(status.sources[0].last_success, absl::InfinitePast());
  EXPECT_NE(status.sources[0].last_sync, absl::InfinitePast());
  EXPECT_EQ(status.sources[1].last_result, SyncOutcome::kOk);  // still synced
  EXPECT_EQ(fakes_[1]->syncs(), 1);

  // The next good sync clears the error.
  ASSERT_TRUE(manager->SyncOnce().ok());
  EXPECT_EQ(manager->GetStatus().sources[0].last_result, SyncOutcome::kOk);
  EXPECT_EQ(manager->GetStatus().sources[0].last_error, "");
}

TEST_F(IndexManagerTest, FailureAfterACommitRebuildsFromTheSource) {
  auto manager = MakeManager(OneSource());
  ASSERT_TRUE(manager->LoadInitial().ok());
  FakeSource& source = *fakes_[0];
  source.FailNextSync(absl::DataLossError("bad delta 4"),
                      [&source] { source.Add("c", 3); });
  EXPECT_FALSE(manager->SyncOnce().ok());
  EXPECT_EQ(manager->GetStatus().index.loaded_from, IndexOrigin::kSources);
  EXPECT_EQ(Served(), fakes_[0]->Expected());
  EXPECT_EQ(holder_.Current()->version(), 3u);
}

TEST_F(IndexManagerTest, SnapshotFileIsReusedForTheSameSources) {
  {
    auto manager = MakeManager(OneSource());
    ASSERT_TRUE(manager->LoadInitial().ok());
    fakes_[0]->Add("c", 3);
    ASSERT_TRUE(manager->SyncOnce().ok());  // persisted after the sync
  }
  const std::set<EntryId> expected = Served();
  IndexHolder restarted;
  std::vector<std::unique_ptr<FakeSource>> sources = OneSource();
  sources[0]->Add("c", 3);  // the same entries at the same version
  sources[0]->ForgetChanges();
  std::unique_ptr<IndexManager> manager =
      Restart(std::move(sources[0]), restarted);
  EXPECT_EQ(manager->GetStatus().index.loaded_from, IndexOrigin::kSnapshotFile);
  ASSERT_NE(restarted.Current(), nullptr);
  EXPECT_EQ(EntriesOf(*restarted.Current()), expected);
  EXPECT_EQ(restarted.Current()->version(), 3u);
}

TEST_F(IndexManagerTest, SnapshotFileIsRejectedWhenTheSourcesKeyChanged) {
  {
    auto manager = MakeManager(OneSource());
    ASSERT_TRUE(manager->LoadInitial().ok());
  }
  std::vector<std::unique_ptr<FakeSource>> sources = OneSource();
  sources[0]->set_key_salt(" other content");
  IndexHolder restarted;
  std::unique_ptr<IndexManager> manager =
      Restart(std::move(sources[0]), restarted);
  EXPECT_EQ(manager->GetStatus().index.loaded_from, IndexOrigin::kSources);
  // And the file now holds the new key.
  PersistedIndex files(dir_.path() + "/data");
  std::string key =
      "clearmatch index sources v1\nfake feed-a 2 other content\n";
  EXPECT_NE(files.ReadIfCurrent(key), nullptr);
}

TEST_F(IndexManagerTest, DamagedSnapshotFileIsIgnored) {
  {
    auto manager = MakeManager(OneSource());
    ASSERT_TRUE(manager->LoadInitial().ok());
  }
  PersistedIndex files(dir_.path() + "/data");
  std::filesystem::resize_file(files.snapshot_path(), 100);
  IndexHolder restarted;
  std::unique_ptr<IndexManager> manager =
      Restart(std::move(OneSource()[0]), restarted);
  EXPECT_EQ(manager->GetStatus().index.loaded_from, IndexOrigin::kSources);
  EXPECT_EQ(restarted.Current()->size(), 2);
}

TEST_F(IndexManagerTest, CompactsWhenTheDeltaGrows) {
  auto manager = MakeManager(OneSource(), /*compact_threshold=*/2);
  ASSERT_TRUE(manager->LoadInitial().ok());
  fakes_[0]->Add("c", 3);
  ASSERT_TRUE(manager->SyncOnce().ok());
  EXPECT_EQ(manager->GetStatus().index.loaded_from, IndexOrigin::kSync);
  EXPECT_EQ(holder_.Current()->delta_size(), 1);
  fakes_[0]->Add("d", 4);
  fakes_[0]->Add("e", 5);
  ASSERT_TRUE(manager->SyncOnce().ok());
  EXPECT_THAT(Swaps(),
              ElementsAre(IndexOrigin::kSources, IndexOrigin::kSync,
                          IndexOrigin::kSync, IndexOrigin::kCompaction));
  const ServingStatus status = manager->GetStatus();
  EXPECT_EQ(status.index.loaded_from, IndexOrigin::kCompaction);
  EXPECT_EQ(status.index.delta_size, 0);
  EXPECT_EQ(status.index.size, 5);
  EXPECT_EQ(Served(), fakes_[0]->Expected());
}

TEST_F(IndexManagerTest, ReportsSourceStatus) {
  auto manager = MakeManager(OneSource());
  ServingStatus status = manager->GetStatus();
  ASSERT_EQ(status.sources.size(), 1u);
  EXPECT_EQ(status.sources[0].name, "feed-a");
  EXPECT_EQ(status.sources[0].kind, SourceKind::kSignedFeed);
  EXPECT_EQ(status.sources[0].last_result, SyncOutcome::kNever);
  EXPECT_EQ(status.sources[0].last_sync, absl::InfinitePast());
  EXPECT_EQ(status.sources[0].state.version, 2u);
  ASSERT_EQ(Reports().size(), 1u);  // at Create

  const absl::Time before = absl::Now();
  ASSERT_TRUE(manager->SyncOnce().ok());
  status = manager->GetStatus();
  EXPECT_EQ(status.sources[0].last_result, SyncOutcome::kOk);
  EXPECT_GE(status.sources[0].last_sync, before);
  EXPECT_EQ(status.sources[0].last_success, status.sources[0].last_sync);
  EXPECT_EQ(status.sources[0].state.id, "feed-a-id");
  EXPECT_EQ(status.sources[0].state.entries, 2);
  ASSERT_EQ(Reports().size(), 2u);
  EXPECT_EQ(Reports().back().last_result, SyncOutcome::kOk);
}

TEST_F(IndexManagerTest, BackgroundThreadAnswersRequestedSyncs) {
  auto manager = MakeManager(OneSource());
  fakes_[0]->Add("c", 3);
  manager->Start();  // syncs at once, then only on request (interval 0)
  absl::Notification done;
  ServingStatus seen;
  manager->RequestSync([&](ServingStatus status) {
    seen = std::move(status);
    done.Notify();
  });
  done.WaitForNotification();
  EXPECT_TRUE(seen.index.serving);
  EXPECT_EQ(seen.index.version, 3u);
  EXPECT_EQ(seen.sources[0].last_result, SyncOutcome::kOk);
}

// Two synced sources: feed-a (a: 1, b: 2; version 2) and feed-b (empty).
std::vector<std::unique_ptr<FakeSource>> TwoSources() {
  std::vector<std::unique_ptr<FakeSource>> sources;
  auto a = std::make_unique<FakeSource>("feed-a");
  a->Add("a", 1);
  a->Add("b", 2);
  a->ForgetChanges();
  sources.push_back(std::move(a));
  sources.push_back(std::make_unique<FakeSource>("feed-b"));
  return sources;
}

TEST_F(IndexManagerTest, ASourceBlockedInSyncDoesNotHoldUpTheOthers) {
  auto manager = MakeManager(TwoSources());
  ASSERT_TRUE(manager->LoadInitial().ok());
  FakeSource& slow = *fakes_[0];
  FakeSource& quick = *fakes_[1];
  slow.HoldSyncs();
  quick.Add("c", 3);
  manager->Start();
  slow.WaitUntilBlocked();
  ASSERT_TRUE(WaitUntil([&] { return IsServed("feed-b", "c", 3); }));
  EXPECT_TRUE(slow.blocked());
  std::shared_ptr<const IndexSnapshot> current = holder_.Current();
  absl::StatusOr<std::vector<PdqHit>> hits =
      current->SearchPdq({PdqCode(3)}, 0);
  ASSERT_TRUE(hits.ok()) << hits.status();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(current->entry((*hits)[0].entry).entry_id, "c");
  EXPECT_EQ(current->version(), 3u);  // feed-a's 2 + feed-b's 1
  const ServingStatus status = manager->GetStatus();
  EXPECT_TRUE(status.sources[0].syncing);
  EXPECT_EQ(status.sources[0].last_result, SyncOutcome::kNever);
  EXPECT_FALSE(status.sources[1].syncing);
  EXPECT_EQ(status.sources[1].last_result, SyncOutcome::kOk);
  slow.Release();
}

TEST_F(IndexManagerTest, RequestedSyncIsDoneWhenEverySourceFinishedOne) {
  auto manager = MakeManager(TwoSources());
  ASSERT_TRUE(manager->LoadInitial().ok());
  FakeSource& slow = *fakes_[0];
  FakeSource& quick = *fakes_[1];
  slow.HoldSyncs();
  manager->Start();
  slow.WaitUntilBlocked();  // its first sync, started before the request
  ASSERT_TRUE(WaitUntil([&] { return quick.syncs() == 1; }));
  quick.Add("c", 3);
  absl::Notification done;
  int slow_syncs = 0;
  int quick_syncs = 0;
  ServingStatus seen;
  manager->RequestSync([&](ServingStatus status) {
    slow_syncs = slow.syncs();
    quick_syncs = quick.syncs();
    seen = std::move(status);
    done.Notify();
  });
  ASSERT_TRUE(WaitUntil([&] { return IsServed("feed-b", "c", 3); }));
  EXPECT_FALSE(done.HasBeenNotified());  // the slow one has not synced since
  slow.Release();
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Minutes(1)));
  EXPECT_EQ(slow_syncs, 2);  // the held one, then the requested one
  EXPECT_EQ(quick_syncs, 2);
  EXPECT_EQ(seen.index.version, 3u);
  EXPECT_EQ(seen.sources[0].last_result, SyncOutcome::kOk);
  EXPECT_EQ(seen.sources[1].state.version, 1u);
}

TEST_F(IndexManagerTest, ShutdownCancelsASourceBlockedInSync) {
  auto manager = MakeManager(OneSource());
  ASSERT_TRUE(manager->LoadInitial().ok());
  fakes_[0]->HoldSyncs();
  fakes_[0]->CountCancelsIn(&cancels_);
  manager->Start();
  fakes_[0]->WaitUntilBlocked();
  absl::Notification answered;
  manager->RequestSync([&](ServingStatus) { answered.Notify(); });
  manager.reset();  // returns only because Cancel ends the held Sync
  EXPECT_EQ(cancels_.load(), 1);
  EXPECT_TRUE(answered.HasBeenNotified());  // answered without a sync
  EXPECT_NE(holder_.Current(), nullptr);    // the index still serves
}

// feed-b's full reload rebuilds from every source, so it waits for feed-a's
// held Sync; feed-c's change, applied meanwhile, is kept by the rebuild.
TEST_F(IndexManagerTest, ChangesAppliedDuringARebuildAreKeptByIt) {
  std::vector<std::unique_ptr<FakeSource>> sources;
  sources.push_back(std::make_unique<FakeSource>("feed-c"));
  for (auto& source : TwoSources()) sources.push_back(std::move(source));
  sources[0]->Add("c1", 10);
  sources[2]->Add("b1", 20);
  for (auto& source : sources) source->ForgetChanges();
  auto manager = MakeManager(std::move(sources), 100000, absl::Milliseconds(2));
  ASSERT_TRUE(manager->LoadInitial().ok());
  FakeSource& quick = *fakes_[0];
  FakeSource& slow = *fakes_[1];
  FakeSource& reloading = *fakes_[2];
  slow.HoldSyncs();
  manager->Start();
  slow.WaitUntilBlocked();
  const int lists = quick.list_calls();
  reloading.ReplaceAll({{"x", 30}});
  // The rebuild has read feed-c (listed first) and waits for feed-a.
  ASSERT_TRUE(WaitUntil([&] { return quick.list_calls() > lists; }));
  quick.Add("c2", 11);
  ASSERT_TRUE(WaitUntil([&] { return IsServed("feed-c", "c2", 11); }));
  EXPECT_TRUE(IsServed("feed-b", "b1", 20));  // the reload is not in yet
  EXPECT_TRUE(slow.blocked());
  slow.Release();
  ASSERT_TRUE(WaitUntil([&] { return IsServed("feed-b", "x", 30); }));
  std::set<EntryId> expected;
  for (FakeSource* fake : fakes_) expected.merge(fake->Expected());
  EXPECT_EQ(Served(), expected);  // c2 still in, b1 gone
  const uint64_t sum = quick.version() + slow.version() + reloading.version();
  EXPECT_EQ(holder_.Current()->version(), sum);
}

TEST_F(IndexManagerTest, NoSourceIsCalledFromTwoThreadsAtOnce) {
  auto manager = MakeManager(TwoSources(), 100000, absl::Milliseconds(1));
  ASSERT_TRUE(manager->LoadInitial().ok());
  manager->Start();
  std::thread requester([&manager] {
    for (int i = 0; i < 20; ++i) {
      absl::Notification done;
      manager->RequestSync([&done](ServingStatus) { done.Notify(); });
      done.WaitForNotification();
    }
  });
  for (int i = 0; i < 40; ++i) {
    FakeSource& source = *fakes_[i % 2];
    source.Add(absl::StrCat("n", i), static_cast<uint8_t>(100 + i));
    if (i % 3 == 0) source.Remove(absl::StrCat("n", i - 3));
    EXPECT_TRUE(manager->SyncOnce().ok());
  }
  requester.join();
  absl::Notification done;
  manager->RequestSync([&done](ServingStatus) { done.Notify(); });
  done.WaitForNotification();
  EXPECT_EQ(fakes_[0]->overlapping_calls(), 0);
  EXPECT_EQ(fakes_[1]->overlapping_calls(), 0);
  std::set<EntryId> expected = fakes_[0]->Expected();
  expected.merge(fakes_[1]->Expected());
  EXPECT_EQ(Served(), expected);
  // The index version is the sum of the sources' and never went down.
  const std::vector<uint64_t> versions = SwapVersions();
  ASSERT_FALSE(versions.empty());
  EXPECT_TRUE(std::is_sorted(versions.begin(), versions.end()));
  EXPECT_EQ(versions.back(), fakes_[0]->version() + fakes_[1]->version());
  EXPECT_EQ(manager->GetStatus().index.version, versions.back());
}

TEST(SourceStatusTest, LagIsTheAgeOfThePublishedData) {
  SourceStatus status;
  const absl::Time now = absl::FromUnixSeconds(1000000);
  EXPECT_EQ(status.Lag(now), absl::InfiniteDuration());
  status.state.published = now - absl::Seconds(90);
  EXPECT_EQ(status.Lag(now), absl::Seconds(90));
}

TEST_F(IndexManagerTest, ReportsTheDurationOfTheLastSync) {
  auto manager = MakeManager(OneSource());
  fakes_[0]->HoldSyncs();
  std::thread syncer([&manager] { EXPECT_TRUE(manager->SyncOnce().ok()); });
  fakes_[0]->WaitUntilBlocked();
  EXPECT_TRUE(manager->GetStatus().sources[0].syncing);
  absl::SleepFor(absl::Milliseconds(50));
  fakes_[0]->Release();
  syncer.join();
  const SourceStatus status = manager->GetStatus().sources[0];
  EXPECT_GE(status.last_sync_duration, absl::Milliseconds(50));
  EXPECT_LT(status.last_sync_duration, absl::Minutes(1));
  EXPECT_FALSE(status.syncing);
}

TEST(IndexOriginNameTest, NamesOfTheAdminService) {
  EXPECT_EQ(IndexOriginName(IndexOrigin::kNone), "");
  EXPECT_EQ(IndexOriginName(IndexOrigin::kSnapshotFile), "snapshot_file");
  EXPECT_EQ(IndexOriginName(IndexOrigin::kSources), "sources");
  EXPECT_EQ(IndexOriginName(IndexOrigin::kSync), "sync");
  EXPECT_EQ(IndexOriginName(IndexOrigin::kCompaction), "compaction");
}

}  // namespace
}  // namespace clearmatch
