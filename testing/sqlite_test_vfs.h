// SqliteTestVfs: a SQLite VFS for durability and crash tests. It wraps the
// default VFS (every call is forwarded), becomes the default while it
// exists, counts xSync calls per kind of file, runs optional hooks on
// the WAL's writes and syncs, and can fail the WAL's writes as a full disk
// does, so that a test can see that a commit reaches fsync, can stop a
// process inside a commit, and can fill and then free the disk.
//
//   SqliteTestVfs vfs;                       // before the store opens
//   auto store = SqliteReviewStore::Create(options);
//   vfs.ResetCounts();
//   (*store)->Decide(request);
//   EXPECT_GE(vfs.wal_syncs(), 1);           // fsync'ed before returning
//   store->reset();                          // close before ~SqliteTestVfs
//
// Connections opened while it exists must be closed before it is destroyed.
// At most one at a time per process. Counters are thread-safe; hooks run on
// the thread doing the I/O.
#ifndef CLEARMATCH_TESTING_SQLITE_TEST_VFS_H_
#define CLEARMATCH_TESTING_SQLITE_TEST_VFS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

namespace clearmatch::testing {

class SqliteTestVfs {
 public:
  // What a WAL write is, from the WAL file format (sqlite.org/walformat):
  // a 24-byte frame header whose "database size after commit" field is
  // non-zero marks the last frame of a transaction.
  enum class WalWrite { kWalHeader, kFrameHeader, kCommitFrameHeader, kPage };

  SqliteTestVfs();
  ~SqliteTestVfs();
  SqliteTestVfs(const SqliteTestVfs&) = delete;
  SqliteTestVfs& operator=(const SqliteTestVfs&) = delete;

  // xSync calls since creation or ResetCounts, by file.
  int64_t wal_syncs() const { return wal_syncs_.load(); }
  int64_t database_syncs() const { return database_syncs_.load(); }
  void ResetCounts();

  // Called before each write to / sync of a WAL file is forwarded. Set them
  // before the I/O they watch starts.
  std::function<void(WalWrite)> before_wal_write;
  std::function<void()> before_wal_sync;
  // While true, every write to a WAL file fails with SQLITE_FULL (the disk
  // is full) without reaching the file.
  std::atomic<bool> fail_wal_writes{false};

 private:
  friend struct SqliteTestVfsAccess;
  std::atomic<int64_t> wal_syncs_{0};
  std::atomic<int64_t> database_syncs_{0};
  struct Registration;
  std::unique_ptr<Registration> registration_;
};

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_SQLITE_TEST_VFS_H_
