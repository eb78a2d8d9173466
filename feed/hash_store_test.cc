// HashStore: transactions, idempotence, gaps, snapshots, integrity, the
// two crash faults (disk full while writing, SIGKILL mid-delta, including
// inside the commit) and fsync of every applied transaction.
#include "feed/hash_store.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/feed_fixtures.h"
#include "testing/sqlite_test_vfs.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::RemoveChange;
using ::clearmatch::testing::SqliteTestVfs;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestAdds;
using ::clearmatch::testing::TestEntry;
using ::testing::HasSubstr;

absl::StatusOr<std::unique_ptr<HashStore>> OpenStore(const std::string& path) {
  HashStore::Options options;
  options.path = path;
  return HashStore::Open(options);
}

FeedCheckpoint At(uint64_t sequence) { return {"f", sequence, 1000}; }

std::vector<FeedEntry> Entries(int64_t first, int64_t count) {
  std::vector<FeedEntry> entries;
  for (const FeedChange& c : TestAdds(first, count)) entries.push_back(c.entry);
  std::sort(entries.begin(), entries.end(),
            [](const FeedEntry& a, const FeedEntry& b) {
              return a.entry_id < b.entry_id;
            });
  return entries;
}

// The permission bits of `path`; -1 if it is missing.
int ModeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777)
                                        : -1;
}

TEST(HashStoreTest, TheStoreAndItsWalAreOwnerOnlyWhateverTheUmask) {
  TempDir dir;
  const mode_t old = ::umask(0);
  auto store = OpenStore(dir.File("s.sqlite"));
  ::umask(old);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->ApplyDelta(At(1), TestAdds(0, 5)).ok());
  EXPECT_EQ(ModeOf(dir.File("s.sqlite")), 0600);
  EXPECT_EQ(ModeOf(dir.File("s.sqlite-wal")), 0600);
  EXPECT_EQ(ModeOf(dir.File("s.sqlite-shm")), 0600);
}

TEST(HashStoreTest, AppliesDeltasAtomicallyWithCheckpoint) {
  TempDir dir;
  auto store = *OpenStore(dir.File("s.sqlite"));
  EXPECT_FALSE(store->GetCheckpoint("f")->has_value());
  auto changes = store->ApplyDelta(At(1), TestAdds(0, 5));
  ASSERT_TRUE(changes.ok()) << changes.status();
  EXPECT_EQ(changes->added.size(), 5u);
  EXPECT_EQ(**store->GetCheckpoint("f"), At(1));
  EXPECT_EQ(*store->ListEntries("f"), Entries(0, 5));

  // Replace e1 (new hash), remove e2, remove an unknown id.
  FeedEntry replaced = TestEntry(1);
  replaced.hash = TestEntry(5).hash;
  replaced.hash_type = TestEntry(5).hash_type;
  auto second = store->ApplyDelta(At(2), {{FeedChange::Op::kAdd, replaced},
                                          RemoveChange("e2"),
                                          RemoveChange("nope")});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(second->removed_entry_ids, ::testing::ElementsAre("e1", "e2"));
  ASSERT_EQ(second->added.size(), 1u);
  EXPECT_EQ(second->added[0], replaced);
  EXPECT_EQ(*store->CountEntries("f"), 4);
}

TEST(HashStoreTest, SameDeltaTwiceChangesNothing) {
  TempDir dir;
  auto store = *OpenStore(dir.File("s.sqlite"));
  ASSERT_TRUE(store->ApplyDelta(At(1), TestAdds(0, 5)).ok());
  auto again = store->ApplyDelta(At(1), TestAdds(0, 5));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->added.empty());
  // Identical content under the next sequence: checkpoint moves, no change.
  auto same = store->ApplyDelta(At(2), TestAdds(0, 5));
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->added.empty());
  EXPECT_TRUE(same->removed_entry_ids.empty());
  EXPECT_EQ(*store->ListEntries("f"), Entries(0, 5));
}

TEST(HashStoreTest, GapIsRefused) {
  TempDir dir;
  auto store = *OpenStore(dir.File("s.sqlite"));
  ASSERT_TRUE(store->ApplyDelta(At(1), TestAdds(0, 5)).ok());
  auto gap = store->ApplyDelta(At(3), TestAdds(5, 5));
  ASSERT_EQ(gap.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(gap.status().message(), HasSubstr("missing deltas"));
  EXPECT_EQ((*store->GetCheckpoint("f"))->sequence, 1u);
  EXPECT_EQ(*store->CountEntries("f"), 5);
}

TEST(HashStoreTest, SnapshotReplacesEverythingAndMustBeNewer) {
  TempDir dir;
  auto store = *OpenStore(dir.File("s.sqlite"));
  ASSERT_TRUE(store->ApplyDelta(At(1), TestAdds(0, 5)).ok());
  auto loaded = store->ReplaceWithSnapshot(At(7), Entries(10, 3));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(loaded->full_reload);
  EXPECT_EQ(*store->ListEntries("f"), Entries(10, 3));
  auto older = store->ReplaceWithSnapshot(At(7), Entries(0, 1));
  EXPECT_EQ(older.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*store->ListEntries("f"), Entries(10, 3));
}

TEST(HashStoreTest, KeepsFeedsApart) {
  TempDir dir;
  auto store = *OpenStore(dir.File("s.sqlite"));
  ASSERT_TRUE(store->ApplyDelta({"a", 1, 0}, TestAdds(0, 2)).ok());
  ASSERT_TRUE(store->ApplyDelta({"b", 1, 0}, TestAdds(0, 3)).ok());
  EXPECT_EQ(*store->CountEntries("a"), 2);
  EXPECT_EQ(*store->CountEntries("b"), 3);
  EXPECT_EQ(store->ListCheckpoints()->size(), 2u);
}

TEST(HashStoreTest, NotADatabaseIsDataLoss) {
  TempDir dir;
  dir.Write("s.sqlite", std::string(8192, 'z'));
  auto store = OpenStore(dir.File("s.sqlite"));
  ASSERT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
}

TEST(HashStoreTest, DamagedPagesFailIntegrityCheck) {
  TempDir dir;
  const std::string path = dir.File("s.sqlite");
  {
    auto store = *OpenStore(path);
    ASSERT_TRUE(store->ApplyDelta(At(1), TestAdds(0, 20000)).ok());
    ASSERT_TRUE(store->CheckIntegrity().ok());
  }  // closing checkpoints the WAL into the main file
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 100000u);
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    const std::string garbage(4096, '\x5a');
    file.write(garbage.data(), garbage.size());
  }
  auto store = OpenStore(path);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::Status integrity = (*store)->CheckIntegrity();
  ASSERT_EQ(integrity.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(integrity.message(), HasSubstr("integrity"));
}

// Runs `child` in a forked process; returns its exit status and what it
// wrote to the pipe. Only used where the test process has no other threads.
struct ChildResult {
  int status = 0;
  std::string output;
};
template <typename Fn>
ChildResult RunInChild(Fn child) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const std::string out = child(fds[1]);
    (void)!write(fds[1], out.data(), out.size());
    _exit(0);
  }
  close(fds[1]);
  ChildResult result;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof(buffer))) > 0) {
    result.output.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  waitpid(pid, &result.status, 0);
  return result;
}

TEST(HashStoreTest, DiskFullWhileWritingKeepsLastGoodState) {
  TempDir dir;
  const std::string path = dir.File("s.sqlite");
  {
    auto store = *OpenStore(path);
    ASSERT_TRUE(store->ApplyDelta(At(1), TestAdds(0, 100)).ok());
  }
  const std::vector<FeedChange> big = TestAdds(100, 50000);
  // The child may write at most 512 KiB more into any file: the delta
  // (~5 MB in the WAL) cannot fit.
  ChildResult child = RunInChild([&](int) -> std::string {
    signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of being killed
    const auto used = std::filesystem::file_size(path);
    rlimit limit{used + 512 * 1024, used + 512 * 1024};
    setrlimit(RLIMIT_FSIZE, &limit);
    auto store = OpenStore(path);
    if (!store.ok()) return std::string(store.status().ToString());
    auto applied = (*store)->ApplyDelta(At(2), big);
    return applied.ok() ? "applied" : std::string(applied.status().ToString());
  });
  ASSERT_TRUE(WIFEXITED(child.status));
  EXPECT_THAT(child.output, HasSubstr("disk full"));
  auto store = *OpenStore(path);
  EXPECT_TRUE(store->CheckIntegrity().ok());
  EXPECT_EQ((*store->GetCheckpoint("f"))->sequence, 1u);
  EXPECT_EQ(*store->ListEntries("f"), Entries(0, 100));
  // And the store still takes the delta once there is room.
  ASSERT_TRUE(store->ApplyDelta(At(2), big).ok());
  EXPECT_EQ(*store->CountEntries("f"), 50100);
}

// Where the child stops for its SIGKILL while it applies delta 2.
enum class KillPoint {
  kEarlyInserts,  // after 10000 of the 60000 records
  kLateInserts,   // after 50000
  // Inside COMMIT (after the last record and the checkpoint): before the
  // first write to the WAL, and at the WAL's fsync after the commit frame
  // (the transaction's last frame) was written.
  kCommitFirstWalWrite,
  kCommitWalSync,
};

// In a child process: applies delta 2 (60000 records) and stops at `point`,
// telling the parent on `ready`, until SIGKILLed. Never returns.
[[noreturn]] void ApplyUntilKilled(const std::string& path, KillPoint point,
                                   const std::vector<FeedChange>& big,
                                   int ready) {
  SqliteTestVfs vfs;  // this process only; the store opens through it
  auto stop_here = [ready] {
    (void)!write(ready, "k", 1);
    pause();  // wait for SIGKILL
  };
  bool committing = false;  // set once the last record is written
  bool commit_frame_written = false;
  vfs.before_wal_write = [&](SqliteTestVfs::WalWrite write) {
    if (!committing) return;
    if (point == KillPoint::kCommitFirstWalWrite) stop_here();
    if (write == SqliteTestVfs::WalWrite::kCommitFrameHeader) {
      commit_frame_written = true;
    }
  };
  vfs.before_wal_sync = [&] {
    if (commit_frame_written && point == KillPoint::kCommitWalSync) {
      stop_here();
    }
  };
  HashStore::Options options;
  options.path = path;
  options.progress_every = 10000;
  options.progress = [&](int64_t written) {
    if ((point == KillPoint::kEarlyInserts && written == 10000) ||
        (point == KillPoint::kLateInserts && written == 50000)) {
      stop_here();
    }
    if (written == static_cast<int64_t>(big.size())) committing = true;
  };
  auto store = HashStore::Open(options);
  if (store.ok()) (void)(*store)->ApplyDelta(At(2), big);
  _exit(0);  // not stopped: the parent sees no byte and fails
}

// The store is at the old checkpoint with none of the delta, or (killed
// after the commit frame reached the WAL) at the new one with all of it.
TEST(HashStoreTest, KilledMidDeltaLeavesOldOrNewCheckpoint) {
  const std::vector<FeedChange> big = TestAdds(100, 60000);
  struct Case {
    KillPoint point;
    bool committed;  // expected: the whole delta and checkpoint 2
  };
  for (const Case& c : {Case{KillPoint::kEarlyInserts, false},
                        Case{KillPoint::kLateInserts, false},
                        Case{KillPoint::kCommitFirstWalWrite, false},
                        Case{KillPoint::kCommitWalSync, true}}) {
    SCOPED_TRACE(static_cast<int>(c.point));
    TempDir dir;
    const std::string path = dir.File("s.sqlite");
    {
      auto store = *OpenStore(path);
      ASSERT_TRUE(store->ApplyDelta(At(1), TestAdds(0, 100)).ok());
    }
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const pid_t pid = fork();
    if (pid == 0) {
      close(ready[0]);
      ApplyUntilKilled(path, c.point, big, ready[1]);
    }
    close(ready[1]);
    char byte;
    const bool stopped = read(ready[0], &byte, 1) == 1;
    close(ready[0]);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(stopped) << "the child never reached its kill point";
    ASSERT_TRUE(WIFSIGNALED(status));

    auto store = *OpenStore(path);
    EXPECT_TRUE(store->CheckIntegrity().ok());
    const uint64_t at = (*store->GetCheckpoint("f"))->sequence;
    const int64_t count = *store->CountEntries("f");
    if (c.committed) {
      EXPECT_EQ(at, 2u);
      EXPECT_EQ(count, 60100);
    } else {
      EXPECT_EQ(at, 1u);
      EXPECT_EQ(count, 100);
    }
  }
}

// The header's promise (synchronous=FULL): an applied delta or snapshot
// survives power loss, i.e. its commit fsyncs the WAL before returning. (A
// SIGKILL test cannot show this: the page cache survives SIGKILL.)
TEST(HashStoreTest, AppliedDeltasAndSnapshotsAreFsynced) {
  TempDir dir;
  SqliteTestVfs vfs;  // before the store, which then opens through it
  auto store = *OpenStore(dir.File("s.sqlite"));
  vfs.ResetCounts();
  ASSERT_TRUE(store->ApplyDelta(At(1), TestAdds(0, 5)).ok());
  EXPECT_GE(vfs.wal_syncs(), 1) << "ApplyDelta returned before an fsync";
  vfs.ResetCounts();
  ASSERT_TRUE(store->ReplaceWithSnapshot(At(2), Entries(10, 3)).ok());
  EXPECT_GE(vfs.wal_syncs(), 1)
      << "ReplaceWithSnapshot returned before an fsync";
  store.reset();  // closed before the VFS goes
}

}  // namespace
}  // namespace clearmatch
