// SqliteTestVfs: a forwarding VFS (see sqlite_test_vfs.h).
#include "testing/sqlite_test_vfs.h"

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace clearmatch::testing {
namespace {

constexpr char kVfsName[] = "clearmatch-test-vfs";

enum class FileKind { kDatabase, kWal, kOther };

// Our sqlite3_file; the wrapped VFS's file follows it in the same block.
struct WrappedFile {
  sqlite3_file base;
  FileKind kind;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};
static_assert(sizeof(WrappedFile) % 8 == 0, "the real file must be aligned");

SqliteTestVfs* g_active = nullptr;
sqlite3_vfs* g_real = nullptr;

sqlite3_file* Real(sqlite3_file* file) {
  return reinterpret_cast<WrappedFile*>(file)->real();
}
FileKind Kind(sqlite3_file* file) {
  return reinterpret_cast<WrappedFile*>(file)->kind;
}

SqliteTestVfs::WalWrite Classify(const void* data, int amount,
                                 sqlite3_int64 offset) {
  if (offset == 0 && amount == 32) return SqliteTestVfs::WalWrite::kWalHeader;
  if (amount != 24) return SqliteTestVfs::WalWrite::kPage;
  const auto* bytes = static_cast<const unsigned char*>(data);
  const bool commit = (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
  return commit ? SqliteTestVfs::WalWrite::kCommitFrameHeader
                : SqliteTestVfs::WalWrite::kFrameHeader;
}

}  // namespace

// Static forwarders with access to the counters and hooks.
struct SqliteTestVfsAccess {
  static int Close(sqlite3_file* f) {
    const int rc = Real(f)->pMethods->xClose(Real(f));
    f->pMethods = nullptr;
    return rc;
  }
  static int Read(sqlite3_file* f, void* data, int n, sqlite3_int64 offset) {
    return Real(f)->pMethods->xRead(Real(f), data, n, offset);
  }
  static int Write(sqlite3_file* f, const void* data, int n,
                   sqlite3_int64 offset) {
    if (Kind(f) == FileKind::kWal && g_active->before_wal_write) {
      g_active->before_wal_write(Classify(data, n, offset));
    }
    if (Kind(f) == FileKind::kWal && g_active->fail_wal_writes) {
      return SQLITE_FULL;
    }
    return Real(f)->pMethods->xWrite(Real(f), data, n, offset);
  }
  static int Truncate(sqlite3_file* f, sqlite3_int64 size) {
    return Real(f)->pMethods->xTruncate(Real(f), size);
  }
  static int Sync(sqlite3_file* f, int flags) {
    if (Kind(f) == FileKind::kWal) {
      if (g_active->before_wal_sync) g_active->before_wal_sync();
      ++g_active->wal_syncs_;
    } else if (Kind(f) == FileKind::kDatabase) {
      ++g_active->database_syncs_;
    }
    return Real(f)->pMethods->xSync(Real(f), flags);
  }
  static int FileSize(sqlite3_file* f, sqlite3_int64* size) {
    return Real(f)->pMethods->xFileSize(Real(f), size);
  }
  static int Lock(sqlite3_file* f, int level) {
    return Real(f)->pMethods->xLock(Real(f), level);
  }
  static int Unlock(sqlite3_file* f, int level) {
    return Real(f)->pMethods->xUnlock(Real(f), level);
  }
  static int CheckReservedLock(sqlite3_file* f, int* out) {
    return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
  }
  static int FileControl(sqlite3_file* f, int op, void* arg) {
    return Real(f)->pMethods->xFileControl(Real(f), op, arg);
  }
  static int SectorSize(sqlite3_file* f) {
    return Real(f)->pMethods->xSectorSize(Real(f));
  }
  static int DeviceCharacteristics(sqlite3_file* f) {
    return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
  }
  static int ShmMap(sqlite3_file* f, int region, int size, int extend,
                    void volatile** out) {
    return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
  }
  static int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
    return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
  }
  static void ShmBarrier(sqlite3_file* f) {
    Real(f)->pMethods->xShmBarrier(Real(f));
  }
  static int ShmUnmap(sqlite3_file* f, int delete_flag) {
    return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
  }
  static int Fetch(sqlite3_file* f, sqlite3_int64 offset, int n, void** out) {
    return Real(f)->pMethods->xFetch(Real(f), offset, n, out);
  }
  static int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
    return Real(f)->pMethods->xUnfetch(Real(f), offset, p);
  }

  static const sqlite3_io_methods kMethods;

  static int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags,
                  int* out_flags) {
    auto* wrapped = reinterpret_cast<WrappedFile*>(file);
    wrapped->base.pMethods = nullptr;
    wrapped->kind = (flags & SQLITE_OPEN_WAL)       ? FileKind::kWal
                    : (flags & SQLITE_OPEN_MAIN_DB) ? FileKind::kDatabase
                                                    : FileKind::kOther;
    const int rc =
        g_real->xOpen(g_real, name, wrapped->real(), flags, out_flags);
    if (rc != SQLITE_OK) return rc;
    if (wrapped->real()->pMethods == nullptr ||
        wrapped->real()->pMethods->iVersion < 3) {
      std::fprintf(stderr, "SqliteTestVfs: the default VFS is too old\n");
      std::abort();
    }
    wrapped->base.pMethods = &kMethods;
    return SQLITE_OK;
  }
};

const sqlite3_io_methods SqliteTestVfsAccess::kMethods = {
    3,
    &SqliteTestVfsAccess::Close,
    &SqliteTestVfsAccess::Read,
    &SqliteTestVfsAccess::Write,
    &SqliteTestVfsAccess::Truncate,
    &SqliteTestVfsAccess::Sync,
    &SqliteTestVfsAccess::FileSize,
    &SqliteTestVfsAccess::Lock,
    &SqliteTestVfsAccess::Unlock,
    &SqliteTestVfsAccess::CheckReservedLock,
    &SqliteTestVfsAccess::FileControl,
    &SqliteTestVfsAccess::SectorSize,
    &SqliteTestVfsAccess::DeviceCharacteristics,
    &SqliteTestVfsAccess::ShmMap,
    &SqliteTestVfsAccess::ShmLock,
    &SqliteTestVfsAccess::ShmBarrier,
    &SqliteTestVfsAccess::ShmUnmap,
    &SqliteTestVfsAccess::Fetch,
    &SqliteTestVfsAccess::Unfetch,
};

struct SqliteTestVfs::Registration {
  sqlite3_vfs vfs;
};

SqliteTestVfs::SqliteTestVfs() : registration_(new Registration) {
  if (g_active != nullptr || sqlite3_initialize() != SQLITE_OK) {
    std::fprintf(stderr, "SqliteTestVfs: one at a time\n");
    std::abort();
  }
  g_real = sqlite3_vfs_find(nullptr);
  // Same behaviour as the default VFS (its other entry points are called
  // with our sqlite3_vfs, whose pAppData is the default's), larger files.
  registration_->vfs = *g_real;
  registration_->vfs.zName = kVfsName;
  registration_->vfs.pNext = nullptr;
  registration_->vfs.szOsFile =
      static_cast<int>(sizeof(WrappedFile)) + g_real->szOsFile;
  registration_->vfs.xOpen = &SqliteTestVfsAccess::Open;
  g_active = this;
  sqlite3_vfs_register(&registration_->vfs, /*makeDflt=*/1);
}

SqliteTestVfs::~SqliteTestVfs() {
  sqlite3_vfs_unregister(&registration_->vfs);
  sqlite3_vfs_register(g_real, /*makeDflt=*/1);
  g_active = nullptr;
}

void SqliteTestVfs::ResetCounts() {
  wal_syncs_ = 0;
  database_syncs_ = 0;
}

}  // namespace clearmatch::testing
