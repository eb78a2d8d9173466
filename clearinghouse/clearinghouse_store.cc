// SQLite-backed ClearinghouseStore.
#include "clearinghouse/clearinghouse_store.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clearinghouse/entry_value_codec.h"
#include "common/status_macros.h"
#include "sqlite/sqlite_statement.h"
#include "sqlite/sqlite_transaction.h"

namespace clearmatch {
namespace {

constexpr int64_t kSchemaVersion = 1;

// ids: one row per entry id ever seen: the upstream time of its last
// change, and its entries (none after a withdrawal: the row is the
// tombstone) encoded in one value (entry_value_codec.h), with their count
// and hash types. One row per id keeps a page to one B-tree lookup and one
// write per change, which matters for random ids (StopNCII hash values).
constexpr char kSchema[] = R"sql(
CREATE TABLE ids (
  source TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  hashes INTEGER NOT NULL,
  types TEXT NOT NULL,
  entries BLOB NOT NULL,
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
    CM_ASSIGN_OR_RETURN(SqliteStatement select_id,
                        db.Prepare("SELECT timestamp, hashes FROM ids "
                                   "WHERE source = ? AND entry_id = ?"));
    CM_ASSIGN_OR_RETURN(
        SqliteStatement upsert_id,
        db.Prepare("INSERT INTO ids (source, entry_id, timestamp, hashes, "
                   "types, entries) VALUES (?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT(source, entry_id) DO UPDATE SET "
                   "timestamp = excluded.timestamp, hashes = excluded.hashes, "
                   "types = excluded.types, entries = excluded.entries"));
    return PageStatements{std::move(select_id), std::move(upsert_id)};
  }

  SqliteStatement select_id;
  SqliteStatement upsert_id;
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

// "md5 pdq": the hash types of `entries`, space-separated.
std::string TypesOf(const std::vector<HashEntry>& entries) {
  std::string types;
  for (const HashEntry& entry : entries) {
    if (!types.empty()) types += ' ';
    types += HashTypeName(entry.type);
  }
  return types;
}

// Applies `change` unless it is older than the stored state of its id;
// false when it was stale.
absl::StatusOr<bool> ApplyChange(PageStatements& s, absl::string_view source,
                                 const SourceChange& change,
                                 PageChanges& result) {
  s.select_id.BindText(1, source);
  s.select_id.BindText(2, change.entry_id);
  CM_ASSIGN_OR_RETURN(const bool known, s.select_id.Step());
  const int64_t stored = known ? s.select_id.Int(0) : 0;
  const bool had_rows = known && s.select_id.Int(1) > 0;
  s.select_id.Reset();
  if (known && change.timestamp < stored) return false;
  static const std::vector<HashEntry> kNone;
  const std::vector<HashEntry>& entries =
      change.removed ? kNone : change.entries;
  s.upsert_id.BindText(1, source);
  s.upsert_id.BindText(2, change.entry_id);
  s.upsert_id.BindInt(3, change.timestamp);
  s.upsert_id.BindInt(4, static_cast<int64_t>(entries.size()));
  s.upsert_id.BindText(5, TypesOf(entries));
  s.upsert_id.BindBlob(6, EncodeEntries(entries));
  CM_RETURN_IF_ERROR(s.upsert_id.Run());
  result.Replace(change.entry_id, had_rows, entries);
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

// The entries of an ids row (entry_id, entries) of `source`.
absl::Status ReadEntries(absl::string_view source, const SqliteStatement& row,
                         std::vector<HashEntry>& out) {
  absl::Status decoded = DecodeEntries(row.Text(1), source, row.Text(0), out);
  if (!decoded.ok()) {
    return absl::DataLossError(
        absl::StrCat("clearinghouse store: an entry of source ", source, ": ",
                     decoded.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ClearinghouseStore>> ClearinghouseStore::Open(
    Options options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("clearinghouse store: empty path");
  }
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
  return db_.CheckIntegrity(options_.path);
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
                        ApplyChange(statements, source, *change, page));
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
      db_.Prepare("SELECT entry_id, entries FROM ids "
                  "WHERE source = ? AND hashes > 0 ORDER BY entry_id"));
  select.BindText(1, source);
  std::vector<HashEntry> entries;
  CM_RETURN_IF_ERROR(select.ForEachRow([&](const SqliteStatement& row) {
    return ReadEntries(source, row, entries);
  }));
  return entries;
}

absl::StatusOr<int64_t> ClearinghouseStore::CountEntries(
    absl::string_view source) {
  absl::MutexLock lock(&mu_);
  CM_ASSIGN_OR_RETURN(
      SqliteStatement count,
      db_.Prepare("SELECT COALESCE(SUM(hashes), 0) FROM ids WHERE source = ?"));
  count.BindText(1, source);
  CM_ASSIGN_OR_RETURN(const bool row, count.Step());
  return row ? count.Int(0) : 0;
}

absl::StatusOr<std::map<std::string, int64_t>>
ClearinghouseStore::CountEntriesByType(absl::string_view source) {
  absl::MutexLock lock(&mu_);
  CM_ASSIGN_OR_RETURN(SqliteStatement count,
                      db_.Prepare("SELECT types, COUNT(*) FROM ids "
                                  "WHERE source = ? AND hashes > 0 "
                                  "GROUP BY types"));
  count.BindText(1, source);
  std::map<std::string, int64_t> counts;
  CM_RETURN_IF_ERROR(count.ForEachRow([&](const SqliteStatement& row) {
    for (absl::string_view type : absl::StrSplit(row.Text(0), ' ')) {
      counts[std::string(type)] += row.Int(1);
    }
    return absl::OkStatus();
  }));
  return counts;
}

}  // namespace clearmatch
