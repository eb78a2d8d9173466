// SqliteConnection, SqliteStatement and SqliteTransaction against real
// files: open errors, the options, binds and columns, statement errors and
// rollback.
#include "sqlite/sqlite_connection.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sqlite/sqlite_statement.h"
#include "sqlite/sqlite_transaction.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

class SqliteConnectionTest : public ::testing::Test {
 protected:
  std::string File(const std::string& name) const { return dir_.File(name); }
  SqliteConnection::Options Options(const std::string& name) const {
    SqliteConnection::Options options;
    options.path = File(name);
    options.label = "test db";
    return options;
  }
  SqliteConnection OpenTable(const std::string& name) {
    absl::StatusOr<SqliteConnection> db = SqliteConnection::Open(Options(name));
    EXPECT_TRUE(db.ok()) << db.status();
    EXPECT_TRUE(db->Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v)").ok());
    return *std::move(db);
  }
  // The single integer a query returns (-1 on error).
  static int64_t QueryInt(SqliteConnection& db, const char* sql) {
    absl::StatusOr<SqliteStatement> query = db.Prepare(sql);
    if (!query.ok() || !query->Step().value_or(false)) return -1;
    return query->Int(0);
  }

  const ::clearmatch::testing::TempDir dir_{"clearmatch-sqlite-test"};
};

TEST_F(SqliteConnectionTest, OpenErrorsHaveTheirCodes) {
  SqliteConnection::Options options = Options("x.sqlite");
  options.path.clear();
  EXPECT_EQ(SqliteConnection::Open(options).status().code(),
            absl::StatusCode::kInvalidArgument);

  options.path = File("missing-dir/x.sqlite");
  const absl::Status cannot_open = SqliteConnection::Open(options).status();
  EXPECT_EQ(cannot_open.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(cannot_open.message(), HasSubstr("test db: open \""));

  options.path = File("missing.sqlite");
  options.read_only = true;
  EXPECT_EQ(SqliteConnection::Open(options).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(options.path));

  options.path = File("garbage.sqlite");
  options.read_only = false;
  dir_.Write("garbage.sqlite", std::string(8192, 'x'));
  EXPECT_EQ(SqliteConnection::Open(options).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(SqliteConnectionTest, OptionsAreApplied) {
  SqliteConnection::Options options = Options("o.sqlite");
  options.max_page_count = 123;
  options.cache_size_kib = 4096;
  absl::StatusOr<SqliteConnection> db = SqliteConnection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  absl::StatusOr<SqliteStatement> mode = db->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok() && *mode->Step());
  EXPECT_EQ(mode->Text(0), "wal");
  EXPECT_EQ(QueryInt(*db, "PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(QueryInt(*db, "PRAGMA max_page_count"), 123);
  EXPECT_EQ(QueryInt(*db, "PRAGMA cache_size"), -4096);

  options.path = File("n.sqlite");
  options.wal = false;
  options.synchronous = SqliteConnection::Synchronous::kNormal;
  db = SqliteConnection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  mode = db->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok() && *mode->Step());
  EXPECT_EQ(mode->Text(0), "delete");
  EXPECT_EQ(QueryInt(*db, "PRAGMA synchronous"), 1);  // NORMAL
}

TEST_F(SqliteConnectionTest, ReadOnlyConnectionsRefuseWrites) {
  { SqliteConnection db = OpenTable("r.sqlite"); }
  SqliteConnection::Options options = Options("r.sqlite");
  options.read_only = true;
  absl::StatusOr<SqliteConnection> db = SqliteConnection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(db->Exec("INSERT INTO t VALUES ('a', 1)").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SqliteConnectionTest, BindsAndColumnsRoundTrip) {
  SqliteConnection db = OpenTable("b.sqlite");
  absl::StatusOr<SqliteStatement> insert =
      db.Prepare("INSERT INTO t VALUES (?, ?)");
  ASSERT_TRUE(insert.ok()) << insert.status();
  const std::string with_nul("a\0b", 3);
  std::string text = "temporary";
  insert->BindText(1, text);
  text = "overwritten";  // binds are copies
  insert->BindBlob(2, with_nul);
  ASSERT_TRUE(insert->Run().ok());
  EXPECT_EQ(db.LastInsertRowid(), 1);
  EXPECT_EQ(db.Changes(), 1);
  for (int64_t value : {std::numeric_limits<int64_t>::min(), int64_t{-1},
                        std::numeric_limits<int64_t>::max()}) {
    insert->BindText(1, absl::StrCat("int", value));
    insert->BindInt(2, value);
    ASSERT_TRUE(insert->Run().ok());
  }
  insert->BindText(1, "null");  // parameter 2 unbound: NULL
  ASSERT_TRUE(insert->Run().ok());

  absl::StatusOr<SqliteStatement> select =
      db.Prepare("SELECT k, v FROM t ORDER BY rowid");
  ASSERT_TRUE(select.ok()) << select.status();
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->Text(0), "temporary");
  EXPECT_EQ(select->Text(1), with_nul);
  for (int64_t value : {std::numeric_limits<int64_t>::min(), int64_t{-1},
                        std::numeric_limits<int64_t>::max()}) {
    ASSERT_TRUE(*select->Step());
    EXPECT_EQ(select->Int(1), value);
    EXPECT_FALSE(select->IsNull(1));
  }
  ASSERT_TRUE(*select->Step());
  EXPECT_TRUE(select->IsNull(1));
  EXPECT_EQ(select->Text(1), "");
  EXPECT_FALSE(*select->Step());
  ASSERT_TRUE(*select->Step()) << "done resets: a new execution starts";
}

TEST_F(SqliteConnectionTest, ForEachRowVisitsEveryRowAndStopsAtAnError) {
  SqliteConnection db = OpenTable("rows.sqlite");
  ASSERT_TRUE(
      db.Exec("INSERT INTO t VALUES ('a', 1), ('b', 2), ('c', 3)").ok());
  absl::StatusOr<SqliteStatement> select =
      db.Prepare("SELECT k, v FROM t WHERE v >= ? ORDER BY k");
  ASSERT_TRUE(select.ok()) << select.status();
  select->BindInt(1, 2);
  std::string keys;
  ASSERT_TRUE(select
                  ->ForEachRow([&](const SqliteStatement& row) {
                    keys += row.Text(0);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(keys, "bc");
  keys.clear();
  select->BindInt(1, 0);
  const absl::Status stopped =
      select->ForEachRow([&](const SqliteStatement& row) {
        keys += row.Text(0);
        return row.Int(1) == 2 ? absl::DataLossError("two") : absl::OkStatus();
      });
  EXPECT_EQ(stopped.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(keys, "ab");
  // Reset by the error: the next execution starts at the first row.
  select->BindInt(1, 3);
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->Text(0), "c");
}

TEST_F(SqliteConnectionTest, StatementErrorsHaveTheirCodesAndReset) {
  SqliteConnection db = OpenTable("e.sqlite");
  EXPECT_EQ(db.Prepare("SELEKT 1").status().code(),
            absl::StatusCode::kInternal);
  absl::StatusOr<SqliteStatement> insert =
      db.Prepare("INSERT INTO t VALUES (?, 1)");
  ASSERT_TRUE(insert.ok()) << insert.status();
  insert->BindText(1, "a");
  ASSERT_TRUE(insert->Run().ok());
  insert->BindText(1, "a");
  const absl::Status duplicate = insert->Run();
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(duplicate.message(), HasSubstr("UNIQUE"));
  insert->BindText(2, "no such parameter");
  const absl::Status bad_bind = insert->Run();
  EXPECT_EQ(bad_bind.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(bad_bind.message(), HasSubstr("bind parameters of INSERT"));
  // Both errors reset the statement: it runs again with new binds.
  insert->BindText(1, "b");
  EXPECT_TRUE(insert->Run().ok());
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM t"), 2);
}

TEST_F(SqliteConnectionTest, PageCapFailsLikeAFullDisk) {
  SqliteConnection::Options options = Options("full.sqlite");
  options.max_page_count = 8;
  absl::StatusOr<SqliteConnection> db = SqliteConnection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(db->Exec("CREATE TABLE t (v)").ok());
  absl::StatusOr<SqliteStatement> insert =
      db->Prepare("INSERT INTO t VALUES (?)");
  ASSERT_TRUE(insert.ok()) << insert.status();
  absl::Status status;
  for (int i = 0; i < 100 && status.ok(); ++i) {
    insert->BindBlob(1, std::string(4096, 'x'));
    status = insert->Run();
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("disk full"));
}

TEST_F(SqliteConnectionTest, AnotherWritersLockIsUnavailable) {
  SqliteConnection db = OpenTable("busy.sqlite");
  SqliteConnection::Options options = Options("busy.sqlite");
  options.busy_timeout_ms = 0;
  absl::StatusOr<SqliteConnection> other = SqliteConnection::Open(options);
  ASSERT_TRUE(other.ok()) << other.status();
  SqliteTransaction holding(db);
  ASSERT_TRUE(holding.Begin().ok());
  SqliteTransaction waiting(*other);
  EXPECT_EQ(waiting.Begin().code(), absl::StatusCode::kUnavailable);
}

TEST_F(SqliteConnectionTest, TransactionRollsBackUnlessCommitted) {
  SqliteConnection db = OpenTable("tx.sqlite");
  {
    SqliteTransaction transaction(db);
    ASSERT_TRUE(transaction.Begin().ok());
    EXPECT_TRUE(db.InTransaction());
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES ('gone', 1)").ok());
  }  // not committed
  EXPECT_FALSE(db.InTransaction());
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM t"), 0);
  {
    SqliteTransaction transaction(db);
    ASSERT_TRUE(transaction.Begin().ok());
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES ('kept', 1)").ok());
    ASSERT_TRUE(transaction.Commit().ok());
  }
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM t"), 1);
  // Another connection sees only the committed row.
  absl::StatusOr<SqliteConnection> other =
      SqliteConnection::Open(Options("tx.sqlite"));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(QueryInt(*other, "SELECT COUNT(*) FROM t WHERE k = 'kept'"), 1);
}

TEST_F(SqliteConnectionTest, BeginInsideATransactionFailsAndKeepsTheOuterOne) {
  SqliteConnection db = OpenTable("nested.sqlite");
  SqliteTransaction outer(db);
  ASSERT_TRUE(outer.Begin().ok());
  {
    SqliteTransaction inner(db);
    EXPECT_EQ(inner.Begin().code(), absl::StatusCode::kInternal);
  }  // the failed inner one rolls nothing back
  EXPECT_TRUE(db.InTransaction());
  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES ('a', 1)").ok());
  ASSERT_TRUE(outer.Commit().ok());
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM t"), 1);
}

// The permission bits of `path` (-1 if it is missing).
int ModeOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

// Sets the umask for the test's scope (0: nothing is masked).
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }

 private:
  const mode_t old_;
};

TEST_F(SqliteConnectionTest, NewFilesAndTheirWalAndShmAreOwnerOnly) {
  ScopedUmask no_mask(0);  // SQLite would make them 0666 then
  SqliteConnection db = OpenTable("private.sqlite");
  ASSERT_TRUE(db.Exec("INSERT INTO t VALUES ('a', 1)").ok());
  EXPECT_EQ(ModeOf(File("private.sqlite")), 0600);
  ASSERT_GE(ModeOf(File("private.sqlite-wal")), 0) << "no WAL file";
  EXPECT_EQ(ModeOf(File("private.sqlite-wal")), 0600);
  EXPECT_EQ(ModeOf(File("private.sqlite-shm")), 0600);
}

TEST_F(SqliteConnectionTest, TheRollbackJournalIsOwnerOnly) {
  ScopedUmask no_mask(0);
  SqliteConnection::Options options = Options("journal.sqlite");
  options.wal = false;
  absl::StatusOr<SqliteConnection> db = SqliteConnection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(db->Exec("PRAGMA journal_mode=PERSIST").ok());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)").ok());
  EXPECT_EQ(ModeOf(File("journal.sqlite")), 0600);
  ASSERT_GE(ModeOf(File("journal.sqlite-journal")), 0) << "no journal";
  EXPECT_EQ(ModeOf(File("journal.sqlite-journal")), 0600);
}

TEST_F(SqliteConnectionTest, AnExistingFileLosesGroupAndOtherPermissions) {
  ScopedUmask no_mask(0);
  { SqliteConnection db = OpenTable("old.sqlite"); }
  ASSERT_EQ(::chmod(File("old.sqlite").c_str(), 0644), 0);
  dir_.Write("old.sqlite-journal", "");  // a leftover, also 0644
  ASSERT_EQ(::chmod(File("old.sqlite-journal").c_str(), 0644), 0);
  absl::StatusOr<SqliteConnection> db =
      SqliteConnection::Open(Options("old.sqlite"));
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(ModeOf(File("old.sqlite")), 0600);
  EXPECT_EQ(ModeOf(File("old.sqlite-journal")), 0600);
  // Read-only opens change nothing.
  ASSERT_EQ(::chmod(File("old.sqlite").c_str(), 0644), 0);
  SqliteConnection::Options read_only = Options("old.sqlite");
  read_only.read_only = true;
  ASSERT_TRUE(SqliteConnection::Open(read_only).ok());
  EXPECT_EQ(ModeOf(File("old.sqlite")), 0644);
}

}  // namespace
}  // namespace clearmatch
