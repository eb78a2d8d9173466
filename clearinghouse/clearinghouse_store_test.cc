// ClearinghouseStore on real files: last writer wins per entry id,
// tombstones, progress in the page's transaction, every hash type round
// trips, the file is owner-only, and a damaged file is DATA_LOSS.
#include "clearinghouse/clearinghouse_store.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sqlite/sqlite_connection.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr char kSource[] = "ncmec";

PdqHash Pdq(uint8_t seed) {
  std::array<uint8_t, PdqHash::kBytes> bytes;
  for (int i = 0; i < PdqHash::kBytes; ++i) bytes[i] = seed + 7 * i;
  return PdqHash(bytes);
}

HashEntry Entry(const std::string& id, HashType type, uint8_t seed = 1) {
  HashEntry entry;
  entry.type = type;
  entry.entry_id = id;
  entry.bank = kSource;
  entry.source_feed = kSource;
  entry.category = absl::StrCat("A", seed);
  entry.added_at = 1700000000 + seed;
  switch (type) {
    case HashType::kPdq:
      entry.pdq = Pdq(seed);
      break;
    case HashType::kVpdq:
      for (int i = 0; i < 3; ++i) {
        entry.frames.push_back({Pdq(seed + i), 30 * i, 1.25 * i});
      }
      break;
    default:
      entry.digest = std::string(DigestLength(type), static_cast<char>(seed));
  }
  return entry;
}

SourceChange Put(const std::string& id, int64_t timestamp,
                 std::vector<HashEntry> entries) {
  return SourceChange{id, timestamp, false, std::move(entries)};
}
SourceChange Withdraw(const std::string& id, int64_t timestamp) {
  return SourceChange{id, timestamp, true, {}};
}

// Every field, frames included.
bool SameEntry(const HashEntry& a, const HashEntry& b) {
  if (a.frames.size() != b.frames.size()) return false;
  for (size_t i = 0; i < a.frames.size(); ++i) {
    if (a.frames[i].hash != b.frames[i].hash ||
        a.frames[i].frame_number != b.frames[i].frame_number ||
        a.frames[i].seconds != b.frames[i].seconds) {
      return false;
    }
  }
  return a.type == b.type && a.entry_id == b.entry_id && a.bank == b.bank &&
         a.category == b.category && a.source_feed == b.source_feed &&
         a.added_at == b.added_at && a.pdq == b.pdq && a.digest == b.digest;
}

MATCHER_P(IsEntry, expected, "") { return SameEntry(arg, expected); }

std::vector<std::string> Ids(const std::vector<EntryKey>& keys) {
  std::vector<std::string> ids;
  for (const EntryKey& key : keys) {
    EXPECT_EQ(key.source_feed, kSource);
    ids.push_back(key.entry_id);
  }
  return ids;
}

class ClearinghouseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    store_.reset();
    ClearinghouseStore::Options options;
    options.path = path();
    auto store = ClearinghouseStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  std::string path() const { return dir_.File("clearinghouses.sqlite"); }

  ClearinghouseStore::PageResult Apply(const std::vector<SourceChange>& changes,
                                       const std::string& checkpoint = "1") {
    auto result = store_->ApplyChanges(kSource, changes, {checkpoint, "", 0});
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *std::move(result) : ClearinghouseStore::PageResult();
  }
  std::vector<HashEntry> List() {
    auto entries = store_->ListEntries(kSource);
    EXPECT_TRUE(entries.ok()) << entries.status();
    return entries.ok() ? *std::move(entries) : std::vector<HashEntry>();
  }

  TempDir dir_;
  std::unique_ptr<ClearinghouseStore> store_;
};

TEST_F(ClearinghouseStoreTest, AppliesReplacesAndWithdraws) {
  const HashEntry a_pdq = Entry("a", HashType::kPdq, 1);
  const HashEntry a_md5 = Entry("a", HashType::kMd5, 2);
  const HashEntry b_sha1 = Entry("b", HashType::kSha1, 3);
  auto first = Apply({Put("a", 100, {a_pdq, a_md5}), Put("b", 100, {b_sha1})});
  EXPECT_THAT(first.changes.removed, IsEmpty());
  EXPECT_THAT(first.changes.added,
              ElementsAre(IsEntry(a_pdq), IsEntry(a_md5), IsEntry(b_sha1)));
  EXPECT_EQ(first.stale, 0);
  EXPECT_EQ(*store_->CountEntries(kSource), 3);

  const HashEntry a_sha256 = Entry("a", HashType::kSha256, 4);
  auto second = Apply({Put("a", 200, {a_sha256}), Withdraw("b", 200),
                       Withdraw("never-seen", 200)});
  EXPECT_THAT(Ids(second.changes.removed), ElementsAre("a", "b"));
  EXPECT_THAT(second.changes.added, ElementsAre(IsEntry(a_sha256)));
  EXPECT_THAT(List(), ElementsAre(IsEntry(a_sha256)));
}

TEST_F(ClearinghouseStoreTest, StaleChangesAreSkippedAndCounted) {
  const HashEntry current = Entry("a", HashType::kPdq, 1);
  Apply({Put("a", 100, {current})});
  auto stale =
      Apply({Put("a", 99, {Entry("a", HashType::kPdq, 9)}), Withdraw("a", 50)});
  EXPECT_EQ(stale.stale, 2);
  EXPECT_TRUE(stale.changes.empty());
  EXPECT_THAT(List(), ElementsAre(IsEntry(current)));
}

TEST_F(ClearinghouseStoreTest, TombstoneKeepsAnOlderReAddOut) {
  Apply({Put("a", 100, {Entry("a", HashType::kPdq, 1)})});
  auto withdrawn = Apply({Withdraw("a", 200)});
  EXPECT_THAT(Ids(withdrawn.changes.removed), ElementsAre("a"));
  auto late = Apply({Put("a", 150, {Entry("a", HashType::kPdq, 2)})});
  EXPECT_EQ(late.stale, 1);
  EXPECT_TRUE(late.changes.empty());
  EXPECT_THAT(List(), IsEmpty());
  const HashEntry again = Entry("a", HashType::kPdq, 3);
  auto newer = Apply({Put("a", 250, {again})});
  EXPECT_THAT(newer.changes.removed, IsEmpty());  // it had no entries
  EXPECT_THAT(newer.changes.added, ElementsAre(IsEntry(again)));
  EXPECT_THAT(List(), ElementsAre(IsEntry(again)));
}

TEST_F(ClearinghouseStoreTest, AtEqualTimestampsTheLaterChangeWins) {
  const HashEntry first = Entry("a", HashType::kPdq, 1);
  const HashEntry second = Entry("a", HashType::kPdq, 2);
  auto page = Apply({Put("a", 100, {first}), Put("a", 100, {second})});
  EXPECT_EQ(page.stale, 0);
  EXPECT_THAT(page.changes.removed, IsEmpty());  // new in this page
  EXPECT_THAT(page.changes.added, ElementsAre(IsEntry(second)));
  EXPECT_THAT(List(), ElementsAre(IsEntry(second)));
  // Across pages too; and a withdrawal at the same second wins over both.
  const HashEntry third = Entry("a", HashType::kMd5, 3);
  auto next = Apply({Put("a", 100, {third})});
  EXPECT_THAT(Ids(next.changes.removed), ElementsAre("a"));
  EXPECT_THAT(List(), ElementsAre(IsEntry(third)));
  Apply({Withdraw("a", 100)});
  EXPECT_THAT(List(), IsEmpty());
}

TEST_F(ClearinghouseStoreTest, AddedAndWithdrawnInOnePageChangesNothing) {
  Apply({Put("old", 100, {Entry("old", HashType::kPdq, 1)})});
  auto page = Apply({Put("new", 100, {Entry("new", HashType::kPdq, 2)}),
                     Withdraw("new", 101), Withdraw("old", 101),
                     Put("old", 102, {Entry("old", HashType::kSha1, 3)})});
  EXPECT_THAT(Ids(page.changes.removed), ElementsAre("old"));
  EXPECT_THAT(page.changes.added,
              ElementsAre(IsEntry(Entry("old", HashType::kSha1, 3))));
}

TEST_F(ClearinghouseStoreTest, EveryHashTypeRoundTrips) {
  const std::vector<HashEntry> entries = {
      Entry("img", HashType::kPdq, 1),  Entry("img", HashType::kMd5, 2),
      Entry("img", HashType::kSha1, 3), Entry("img", HashType::kSha256, 4),
      Entry("vid", HashType::kVpdq, 5), Entry("vid", HashType::kMd5, 6)};
  Apply({Put("img", 1, {entries[0], entries[1], entries[2], entries[3]}),
         Put("vid", 1, {entries[4], entries[5]})});
  const std::vector<HashEntry> listed = List();
  ASSERT_EQ(listed.size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_TRUE(SameEntry(listed[i], entries[i])) << i;
  }
  ASSERT_EQ(listed[4].frames.size(), 3u);
  EXPECT_EQ(listed[4].frames[2].frame_number, 60);
  EXPECT_EQ(listed[4].frames[2].seconds, 2.5);
  auto by_type = store_->CountEntriesByType(kSource);
  ASSERT_TRUE(by_type.ok()) << by_type.status();
  EXPECT_EQ(
      *by_type,
      (std::map<std::string, int64_t>{
          {"md5", 2}, {"pdq", 1}, {"sha1", 1}, {"sha256", 1}, {"vpdq", 1}}));
  EXPECT_TRUE(store_->ListEntries("stopncii")->empty());
  EXPECT_TRUE(store_->CountEntriesByType("stopncii")->empty());
}

TEST_F(ClearinghouseStoreTest, ProgressRoundTripsPerSource) {
  EXPECT_EQ(*store_->GetProgress(kSource), std::nullopt);
  const SourceProgress page_progress{"1700000100", "", 0};
  Apply({Put("a", 1, {Entry("a", HashType::kPdq)})}, "1700000100");
  EXPECT_EQ(*store_->GetProgress(kSource), page_progress);
  const SourceProgress with_cursor{"1700000100", "window=5;next=/x?page=2",
                                   1700000200};
  ASSERT_TRUE(store_->SaveProgress(kSource, with_cursor).ok());
  EXPECT_EQ(*store_->GetProgress(kSource), with_cursor);
  EXPECT_EQ(*store_->GetProgress("stopncii"), std::nullopt);
}

TEST_F(ClearinghouseStoreTest, AFailedPageLeavesEntriesAndProgressUnchanged) {
  const HashEntry kept = Entry("a", HashType::kPdq, 1);
  Apply({Put("a", 100, {kept})}, "first");
  {
    // Another connection makes every insert of the id "poison" fail.
    SqliteConnection::Options options;
    options.path = path();
    auto db = SqliteConnection::Open(options);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(db->Exec("CREATE TRIGGER poison BEFORE INSERT ON ids "
                         "WHEN NEW.entry_id = 'poison' "
                         "BEGIN SELECT RAISE(ABORT, 'injected'); END;")
                    .ok());
  }
  auto failed = store_->ApplyChanges(
      kSource,
      {Put("a", 200, {Entry("a", HashType::kMd5, 2)}), Withdraw("b", 200),
       Put("poison", 200, {Entry("poison", HashType::kPdq, 3)})},
      {"second", "cursor", 5});
  ASSERT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition)
      << failed.status();
  EXPECT_THAT(failed.status().message(), HasSubstr("injected"));
  EXPECT_THAT(List(), ElementsAre(IsEntry(kept)));
  EXPECT_EQ(*store_->GetProgress(kSource), (SourceProgress{"first", "", 0}));
  // The stale check still sees the old state: the change at 200 applies.
  auto retried = Apply({Put("a", 200, {Entry("a", HashType::kMd5, 2)})});
  EXPECT_THAT(Ids(retried.changes.removed), ElementsAre("a"));
}

TEST_F(ClearinghouseStoreTest, InvalidEntriesAreRefusedWithoutTheirIds) {
  HashEntry wrong_bank = Entry("victim-hash-1", HashType::kPdq);
  wrong_bank.bank = "other";
  HashEntry short_digest = Entry("victim-hash-2", HashType::kMd5);
  short_digest.digest = "abc";
  for (const HashEntry& entry : {wrong_bank, short_digest}) {
    auto result = store_->ApplyChanges(
        kSource, {Put(entry.entry_id, 1, {entry})}, {"x", "", 0});
    ASSERT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(result.status().message(), Not(HasSubstr("victim-hash")));
  }
  EXPECT_THAT(List(), IsEmpty());
  EXPECT_EQ(*store_->GetProgress(kSource), std::nullopt);
}

TEST_F(ClearinghouseStoreTest, FilesAreOwnerOnlyWhateverTheUmask) {
  store_.reset();
  std::remove(path().c_str());
  const mode_t old_umask = ::umask(0);
  Open();
  ::umask(old_umask);
  Apply({Put("a", 1, {Entry("a", HashType::kPdq)})});
  for (const std::string& file : {path(), path() + "-wal", path() + "-shm"}) {
    struct stat info;
    ASSERT_EQ(::stat(file.c_str(), &info), 0) << file;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << file;
  }
}

TEST_F(ClearinghouseStoreTest, ReopenKeepsEverything) {
  const HashEntry video = Entry("v", HashType::kVpdq, 4);
  Apply({Put("v", 10, {video}), Put("w", 10, {Entry("w", HashType::kPdq)}),
         Withdraw("w", 20)},
        "checkpoint-7");
  Open();
  EXPECT_TRUE(store_->CheckIntegrity().ok());
  EXPECT_THAT(List(), ElementsAre(IsEntry(video)));
  EXPECT_EQ(store_->GetProgress(kSource)->value().checkpoint, "checkpoint-7");
  // The tombstone survived too.
  EXPECT_EQ(Apply({Put("w", 15, {Entry("w", HashType::kPdq)})}).stale, 1);
}

TEST_F(ClearinghouseStoreTest, ADamagedFileIsDataLoss) {
  store_.reset();
  dir_.Write("damaged.sqlite", std::string(8192, 'x'));
  ClearinghouseStore::Options options;
  options.path = dir_.File("damaged.sqlite");
  auto store = ClearinghouseStore::Open(options);
  ASSERT_EQ(store.status().code(), absl::StatusCode::kDataLoss)
      << store.status();
}

}  // namespace
}  // namespace clearmatch
