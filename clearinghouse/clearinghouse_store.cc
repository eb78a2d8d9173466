// SQLite-backed ClearinghouseStore.
#include "clearinghouse/clearinghouse_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clearinghouse/entry_value_codec.h"
#include "common/scoped_fd.h"
#include "common/status_macros.h"
#include "sqlite/sqlite_statement.h"
#include "sqlite/sqlite_transaction.h"

namespace clearmatch {
namespace {

constexpr int64_t kSchemaVersion = 1;

// entries: the hashes of each live entry id, `position` keeps their order.
// entry_state: the last change applied per id (timestamp, tombstone).
constexpr char kSchema[] = R"sql(
CREATE TABLE entries (
  source TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  type TEXT NOT NULL,
  value BLOB NOT NULL,
  category TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (source, entry_id, position)
) WITHOUT ROWID;
CREATE TABLE entry_state (
  source TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  PRIMARY KEY (source, entry_id)
) WITHOUT ROWID;
CREATE TABLE progress (
  source TEXT PRIMARY KEY,
  checkpoint TEXT NOT NULL,
  cursor TEXT NOT NULL,
  cursor_saved_at INTEGER NOT NULL
);
CREATE TABLE meta (schema_version INTEGER NOT NULL);
)sql";

// Creates `path` with mode 0600 if it is missing, and takes group and
// world access away from an existing file: SQLite gives the -wal and -shm
// files the database file's mode.
absl::Status MakeOwnerOnlyFile(const std::string& path) {
  ScopedFd fd(
      ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600));
  struct stat info;
  if (fd.get() < 0 || ::fstat(fd.get(), &info) != 0 ||
      ((info.st_mode & 077) != 0 &&
       ::fchmod(fd.get(), info.st_mode & 0700) != 0)) {
    return absl::FailedPreconditionError(
        absl::StrCat("clearinghouse store ", path,
                     ": cannot create it owner-only: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// The schema version in the file; 0 for a new (empty) file.
absl::StatusOr<int64_t> ReadSchemaVersion(SqliteConnection& db) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement tables,
      db.Prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'meta'"));
  CM_ASSIGN_OR_RETURN(const bool counted, tables.Step());
  if (!counted || tables.Int(0) == 0) return 0;
  tables.Reset();
  CM_ASSIGN_OR_RETURN(SqliteStatement version,
                      db.Prepare("SELECT schema_version FROM meta"));
  CM_ASSIGN_OR_RETURN(const bool has_row, version.Step());
  return has_row ? version.Int(0) : -1;
}

// The statements ApplyChanges runs per change, prepared once per page.
struct PageStatements {
  static absl::StatusOr<PageStatements> Prepare(SqliteConnection& db) {
    CM_ASSIGN_OR_RETURN(SqliteStatement select_state,
                        db.Prepare("SELECT timestamp FROM entry_state "
                                   "WHERE source = ? AND entry_id = ?"));
    CM_ASSIGN_OR_RETURN(
        SqliteStatement upsert_state,
        db.Prepare(
            "INSERT INTO entry_state (source, entry_id, timestamp, "
            "removed) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(source, entry_id) DO UPDATE SET "
            "timestamp = excluded.timestamp, removed = excluded.removed"));
    CM_ASSIGN_OR_RETURN(
        SqliteStatement delete_entries,
        db.Prepare("DELETE FROM entries WHERE source = ? AND entry_id = ?"));
    CM_ASSIGN_OR_RETURN(
        SqliteStatement insert_entry,
        db.Prepare("INSERT INTO entries (source, entry_id, position, type, "
                   "value, category, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    return PageStatements{std::move(select_state), std::move(upsert_state),
                          std::move(delete_entries), std::move(insert_entry)};
  }

  SqliteStatement select_state;
  SqliteStatement upsert_state;
  SqliteStatement delete_entries;
  SqliteStatement insert_entry;
};

// What a page changed for the index: ids that had entries before the page,
// and the last state of each id the page wrote.
class PageChanges {
 public:
  explicit PageChanges(absl::string_view source) : source_(source) {}

  // Id `entry_id` now holds `entries`; `had_rows` says whether it held rows
  // just before (which may be rows of an earlier change of this page).
  void Replace(const std::string& entry_id, bool had_rows,
               std::vector<HashEntry> entries) {
    if (auto it = live_.find(entry_id); it != live_.end()) {
      added_[it->second].clear();  // superseded within the page
      live_.erase(it);
    } else if (had_rows && removed_set_.insert(entry_id).second) {
      removed_.push_back({source_, entry_id});
    }
    if (entries.empty()) return;
    live_[entry_id] = added_.size();
    added_.push_back(std::move(entries));
  }

  EntryChanges Build() && {
    EntryChanges changes;
    changes.removed = std::move(removed_);
    for (std::vector<HashEntry>& entries : added_) {
      for (HashEntry& entry : entries) {
        changes.added.push_back(std::move(entry));
      }
    }
    return changes;
  }

 private:
  const std::string source_;
  std::vector<EntryKey> removed_;
  absl::flat_hash_set<std::string> removed_set_;
  std::vector<std::vector<HashEntry>> added_;
  absl::flat_hash_map<std::string, size_t> live_;  // entry_id -> added_ index
};

// Messages name the change by its place in the page: a StopNCII entry id
// is a victim's hash.
absl::Status ValidateChange(absl::string_view source, size_t index,
                            const SourceChange& change) {
  const std::string where =
      absl::StrCat("source ", source, ": change ", index, " of the page");
  if (change.entry_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, " has an empty entry id"));
  }
  for (const HashEntry& entry : change.entries) {
    if (entry.entry_id != change.entry_id || entry.bank != source ||
        entry.source_feed != source) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": an entry has another entry id, bank or source_feed"));
    }
    if (!ValidateHashEntry(entry).ok()) {
      HashEntry anonymous = entry;
      anonymous.entry_id = absl::StrCat("#", index);
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": ", ValidateHashEntry(anonymous).message()));
    }
  }
  return absl::OkStatus();
}

// Applies `change` unless it is older than the stored state of its id;
// false when it was stale.
absl::StatusOr<bool> ApplyChange(SqliteConnection& db, PageStatements& s,
                                 absl::string_view source,
                                 const SourceChange& change,
                                 PageChanges& result) {
  s.select_state.BindText(1, source);
  s.select_state.BindText(2, change.entry_id);
  CM_ASSIGN_OR_RETURN(const bool known, s.select_state.Step());
  const int64_t stored = known ? s.select_state.Int(0) : 0;
  s.select_state.Reset();
  if (known && change.timestamp < stored) return false;
  // Every id with entries has a state row: an unknown id has none to delete.
  bool had_rows = false;
  if (known) {
    s.delete_entries.BindText(1, source);
    s.delete_entries.BindText(2, change.entry_id);
    CM_RETURN_IF_ERROR(s.delete_entries.Run());
    had_rows = db.Changes() > 0;
  }
  if (!change.removed) {
    int64_t position = 0;
    for (const HashEntry& entry : change.entries) {
      s.insert_entry.BindText(1, source);
      s.insert_entry.BindText(2, change.entry_id);
      s.insert_entry.BindInt(3, position++);
      s.insert_entry.BindText(4, std::string(HashTypeName(entry.type)));
      s.insert_entry.BindBlob(5, EncodeEntryValue(entry));
      s.insert_entry.BindText(6, entry.category);
      s.insert_entry.BindInt(7, entry.added_at);
      CM_RETURN_IF_ERROR(s.insert_entry.Run());
    }
  }
  s.upsert_state.BindText(1, source);
  s.upsert_state.BindText(2, change.entry_id);
  s.upsert_state.BindInt(3, change.timestamp);
  s.upsert_state.BindInt(4, change.removed ? 1 : 0);
  CM_RETURN_IF_ERROR(s.upsert_state.Run());
  result.Replace(change.entry_id, had_rows,
                 change.removed ? std::vector<HashEntry>() : change.entries);
  return true;
}

// `changes` by entry id, stable (the later change of one id still comes
// later): B-tree inserts in key order walk forward through the pages
// instead of jumping (ids such as StopNCII's hash values are random).
std::vector<const SourceChange*> InKeyOrder(
    const std::vector<SourceChange>& changes) {
  std::vector<const SourceChange*> ordered;
  ordered.reserve(changes.size());
  for (const SourceChange& change : changes) ordered.push_back(&change);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const SourceChange* a, const SourceChange* b) {
                     return a->entry_id < b->entry_id;
                   });
  return ordered;
}

// An entry row (entry_id, type, value, category, added_at) of `source`.
absl::StatusOr<HashEntry> ReadEntry(absl::string_view source,
                                    const SqliteStatement& row) {
  HashEntry entry;
  entry.entry_id = row.Text(0);
  entry.bank = std::string(source);
  entry.source_feed = entry.bank;
  entry.category = row.Text(3);
  entry.added_at = row.Int(4);
  absl::StatusOr<HashType> type = ParseHashType(row.Text(1));
  absl::Status decoded = type.status();
  if (type.ok()) {
    entry.type = *type;
    decoded = DecodeEntryValue(row.Text(2), &entry);
  }
  if (!decoded.ok()) {
    return absl::DataLossError(
        absl::StrCat("clearinghouse store: an entry of source ", source, ": ",
                     decoded.message()));
  }
  return entry;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ClearinghouseStore>> ClearinghouseStore::Open(
    Options options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("clearinghouse store: empty path");
  }
  CM_RETURN_IF_ERROR(MakeOwnerOnlyFile(options.path));
  SqliteConnection::Options connection;
  connection.path = options.path;
  connection.label = "clearinghouse store";
  // WAL: readers keep reading the last commit while a page is applied.
  // synchronous=FULL: a committed page survives power loss.
  connection.wal = true;
  connection.synchronous = SqliteConnection::Synchronous::kFull;
  connection.cache_size_kib = 64 << 10;
  CM_ASSIGN_OR_RETURN(SqliteConnection db, SqliteConnection::Open(connection));
  // Checkpoint every ~100 MB of WAL rather than every 4 MB: a page of random
  // ids (StopNCII hash values) dirties B-tree pages all over the file, and
  // copying them back after every transaction doubled the writes.
  CM_RETURN_IF_ERROR(db.Exec("PRAGMA wal_autocheckpoint=25000"));
  CM_ASSIGN_OR_RETURN(const int64_t found, ReadSchemaVersion(db));
  if (found != 0 && found != kSchemaVersion) {
    return absl::DataLossError(absl::StrCat(
        "clearinghouse store ", options.path, " has schema version ", found,
        ", this build reads ", kSchemaVersion));
  }
  if (found == 0) {
    SqliteTransaction transaction(db);
    CM_RETURN_IF_ERROR(transaction.Begin());
    CM_RETURN_IF_ERROR(db.Exec(
        absl::StrCat(kSchema, "INSERT INTO meta (schema_version) VALUES (",
                     kSchemaVersion, ");")));
    CM_RETURN_IF_ERROR(transaction.Commit());
  }
  return std::unique_ptr<ClearinghouseStore>(
      new ClearinghouseStore(std::move(options), std::move(db)));
}

ClearinghouseStore::~ClearinghouseStore() = default;

absl::Status ClearinghouseStore::CheckIntegrity() {
  absl::MutexLock lock(&mu_);
  CM_ASSIGN_OR_RETURN(SqliteStatement check,
                      db_.Prepare("PRAGMA integrity_check(20)"));
  std::vector<std::string> findings;
  CM_RETURN_IF_ERROR(check.ForEachRow([&](const SqliteStatement& row) {
    findings.push_back(row.Text(0));
    return absl::OkStatus();
  }));
  if (findings.size() == 1 && findings[0] == "ok") return absl::OkStatus();
  return absl::DataLossError(
      absl::StrCat("clearinghouse store ", options_.path,
                   " fails integrity_check: ", absl::StrJoin(findings, "; ")));
}

absl::StatusOr<std::optional<SourceProgress>> ClearinghouseStore::GetProgress(
    absl::string_view source) {
  absl::MutexLock lock(&mu_);
  CM_ASSIGN_OR_RETURN(
      SqliteStatement select,
      db_.Prepare("SELECT checkpoint, cursor, cursor_saved_at FROM progress "
                  "WHERE source = ?"));
  select.BindText(1, source);
  CM_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return std::nullopt;
  return SourceProgress{select.Text(0), select.Text(1), select.Int(2)};
}

absl::Status ClearinghouseStore::SaveProgressLocked(
    absl::string_view source, const SourceProgress& progress) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement upsert,
      db_.Prepare("INSERT INTO progress (source, checkpoint, cursor, "
                  "cursor_saved_at) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT(source) DO UPDATE SET "
                  "checkpoint = excluded.checkpoint, cursor = excluded.cursor, "
                  "cursor_saved_at = excluded.cursor_saved_at"));
  upsert.BindText(1, source);
  upsert.BindText(2, progress.checkpoint);
  upsert.BindText(3, progress.cursor);
  upsert.BindInt(4, progress.cursor_saved_at);
  return upsert.Run();
}

absl::Status ClearinghouseStore::SaveProgress(absl::string_view source,
                                              const SourceProgress& progress) {
  absl::MutexLock lock(&mu_);
  return SaveProgressLocked(source, progress);
}

absl::StatusOr<ClearinghouseStore::PageResult> ClearinghouseStore::ApplyChanges(
    absl::string_view source, const std::vector<SourceChange>& changes,
    const SourceProgress& progress) {
  for (size_t i = 0; i < changes.size(); ++i) {
    CM_RETURN_IF_ERROR(ValidateChange(source, i, changes[i]));
  }
  absl::MutexLock lock(&mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_ASSIGN_OR_RETURN(PageStatements statements, PageStatements::Prepare(db_));
  PageChanges page(source);
  PageResult result;
  for (const SourceChange* change : InKeyOrder(changes)) {
    CM_ASSIGN_OR_RETURN(const bool applied,
                        ApplyChange(db_, statements, source, *change, page));
    if (!applied) ++result.stale;
  }
  CM_RETURN_IF_ERROR(SaveProgressLocked(source, progress));
  CM_RETURN_IF_ERROR(transaction.Commit());
  result.changes = std::move(page).Build();
  return result;
}

absl::StatusOr<std::vector<HashEntry>> ClearinghouseStore::ListEntries(
    absl::string_view source) {
  absl::MutexLock lock(&mu_);
  CM_ASSIGN_OR_RETURN(
      SqliteStatement select,
      db_.Prepare("SELECT entry_id, type, value, category, added_at "
                  "FROM entries WHERE source = ? ORDER BY entry_id, position"));
  select.BindText(1, source);
  std::vector<HashEntry> entries;
  CM_RETURN_IF_ERROR(select.ForEachRow([&](const SqliteStatement& row) {
    CM_ASSIGN_OR_RETURN(HashEntry entry, ReadEntry(source, row));
    entries.push_back(std::move(entry));
    return absl::OkStatus();
  }));
  return entries;
}

absl::StatusOr<int64_t> ClearinghouseStore::CountEntries(
    absl::string_view source) {
  absl::MutexLock lock(&mu_);
  CM_ASSIGN_OR_RETURN(
      SqliteStatement count,
      db_.Prepare("SELECT COUNT(*) FROM entries WHERE source = ?"));
  count.BindText(1, source);
  CM_ASSIGN_OR_RETURN(const bool row, count.Step());
  return row ? count.Int(0) : 0;
}

absl::StatusOr<std::map<std::string, int64_t>>
ClearinghouseStore::CountEntriesByType(absl::string_view source) {
  absl::MutexLock lock(&mu_);
  CM_ASSIGN_OR_RETURN(SqliteStatement count,
                      db_.Prepare("SELECT type, COUNT(*) FROM entries "
                                  "WHERE source = ? GROUP BY type"));
  count.BindText(1, source);
  std::map<std::string, int64_t> counts;
  CM_RETURN_IF_ERROR(count.ForEachRow([&](const SqliteStatement& row) {
    counts[row.Text(0)] = row.Int(1);
    return absl::OkStatus();
  }));
  return counts;
}

}  // namespace clearmatch
