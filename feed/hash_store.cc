// SQLite-backed HashStore.
#include "feed/hash_store.h"

#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "feed/feed_changes_builder.h"
#include "sqlite/sqlite_statement.h"
#include "sqlite/sqlite_transaction.h"

namespace clearmatch {
namespace {

constexpr int kSchemaVersion = 1;

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS feeds (
  feed_id TEXT PRIMARY KEY,
  sequence INTEGER NOT NULL,
  manifest_created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
  feed_id TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  hash_type TEXT NOT NULL,
  hash TEXT NOT NULL,
  bank TEXT NOT NULL,
  category TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (feed_id, entry_id)
) WITHOUT ROWID;
)sql";

constexpr char kSelectEntryColumns[] =
    "SELECT entry_id, hash_type, hash, bank, category, added_at FROM entries ";
constexpr char kEntryColumns[] =
    "entries (feed_id, entry_id, hash_type, hash, bank, category, added_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";

// A vPDQ entry's frames in the `hash` column: "frame_number,seconds,hash"
// per frame, joined by ';'; seconds as %.17g, which reads back exactly.
std::string FramesToColumn(const std::vector<FeedFrame>& frames) {
  std::string out;
  out.reserve(frames.size() * 90);
  for (const FeedFrame& frame : frames) {
    if (!out.empty()) out.push_back(';');
    absl::StrAppendFormat(&out, "%d,%.17g,%s", frame.frame_number,
                          frame.seconds, frame.hash);
  }
  return out;
}

// Inverse of FramesToColumn; DATA_LOSS for what it never writes.
absl::StatusOr<std::vector<FeedFrame>> FramesFromColumn(
    absl::string_view column, absl::string_view entry_id) {
  std::vector<FeedFrame> frames;
  for (absl::string_view text : absl::StrSplit(column, ';')) {
    const std::vector<absl::string_view> fields = absl::StrSplit(text, ',');
    FeedFrame frame;
    if (fields.size() != 3 ||
        !absl::SimpleAtoi(fields[0], &frame.frame_number) ||
        !absl::SimpleAtod(fields[1], &frame.seconds)) {
      return absl::DataLossError(absl::StrCat(
          "hash store entry ", feed_internal::QuoteForError(entry_id),
          ": malformed vpdq frame ", frames.size()));
    }
    frame.hash = std::string(fields[2]);
    frames.push_back(std::move(frame));
  }
  return frames;
}

// DATA_LOSS if the row holds what this code never writes (tampering).
absl::StatusOr<FeedEntry> ReadEntry(const SqliteStatement& row) {
  FeedEntry entry;
  entry.entry_id = row.Text(0);
  absl::StatusOr<HashType> type = ParseHashType(row.Text(1));
  if (!type.ok()) {
    return absl::DataLossError(absl::StrCat(
        "hash store entry ", feed_internal::QuoteForError(entry.entry_id), ": ",
        type.status().message()));
  }
  entry.hash_type = *type;
  if (entry.hash_type == HashType::kVpdq) {
    CM_ASSIGN_OR_RETURN(entry.frames,
                        FramesFromColumn(row.Text(2), entry.entry_id));
  } else {
    entry.hash = row.Text(2);
  }
  entry.bank = row.Text(3);
  entry.category = row.Text(4);
  entry.added_at_unix_seconds = row.Int(5);
  return entry;
}

// Binds (feed_id, entry fields) as parameters 1..7 and runs the statement.
absl::Status WriteEntry(SqliteStatement& statement, absl::string_view feed_id,
                        const FeedEntry& entry) {
  statement.BindText(1, feed_id);
  statement.BindText(2, entry.entry_id);
  statement.BindText(3, std::string(HashTypeName(entry.hash_type)));
  statement.BindText(4, entry.hash_type == HashType::kVpdq
                            ? FramesToColumn(entry.frames)
                            : entry.hash);
  statement.BindText(5, entry.bank);
  statement.BindText(6, entry.category);
  statement.BindInt(7, entry.added_at_unix_seconds);
  return statement.Run();
}

// The schema version in the file; 0 for a new file.
absl::StatusOr<int64_t> ReadSchemaVersion(SqliteConnection& db) {
  CM_ASSIGN_OR_RETURN(SqliteStatement version,
                      db.Prepare("PRAGMA user_version"));
  CM_ASSIGN_OR_RETURN(const bool has_row, version.Step());
  return has_row ? version.Int(0) : 0;
}

// The statements ApplyDelta runs per change, prepared once per delta.
struct DeltaStatements {
  static absl::StatusOr<DeltaStatements> Prepare(SqliteConnection& db) {
    CM_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db.Prepare(absl::StrCat("INSERT INTO ", kEntryColumns,
                                " ON CONFLICT(feed_id, entry_id) DO NOTHING")));
    CM_ASSIGN_OR_RETURN(
        SqliteStatement select,
        db.Prepare(absl::StrCat(kSelectEntryColumns,
                                "WHERE feed_id = ? AND entry_id = ?")));
    CM_ASSIGN_OR_RETURN(
        SqliteStatement update,
        db.Prepare("UPDATE entries SET hash_type = ?3, hash = ?4, bank = ?5, "
                   "category = ?6, added_at = ?7 "
                   "WHERE feed_id = ?1 AND entry_id = ?2"));
    CM_ASSIGN_OR_RETURN(
        SqliteStatement remove,
        db.Prepare("DELETE FROM entries WHERE feed_id = ? AND entry_id = ?"));
    return DeltaStatements{std::move(insert), std::move(select),
                           std::move(update), std::move(remove)};
  }

  SqliteStatement insert;
  SqliteStatement select;
  SqliteStatement update;
  SqliteStatement remove;
};

// Applies one change of a delta to feed `feed_id` and notes in `result`
// what it changed (nothing for an identical ADD or the REMOVE of an absent
// id; a REMOVE and an ADD for a replaced entry).
absl::Status ApplyChange(SqliteConnection& db, DeltaStatements& statements,
                         absl::string_view feed_id, const FeedChange& change,
                         FeedChangesBuilder& result) {
  const FeedEntry& entry = change.entry;
  if (change.op == FeedChange::Op::kRemove) {
    statements.remove.BindText(1, feed_id);
    statements.remove.BindText(2, entry.entry_id);
    CM_RETURN_IF_ERROR(statements.remove.Run());
    if (db.Changes() > 0) result.Remove(entry.entry_id);
    return absl::OkStatus();
  }
  CM_RETURN_IF_ERROR(WriteEntry(statements.insert, feed_id, entry));
  if (db.Changes() > 0) {
    result.Add(entry);
    return absl::OkStatus();
  }
  SqliteStatement& select = statements.select;
  select.BindText(1, feed_id);
  select.BindText(2, entry.entry_id);
  CM_RETURN_IF_ERROR(select.Step().status());
  absl::StatusOr<FeedEntry> existing = ReadEntry(select);
  select.Reset();
  if (existing.ok() && *existing == entry) return absl::OkStatus();
  CM_RETURN_IF_ERROR(WriteEntry(statements.update, feed_id, entry));
  result.Remove(entry.entry_id);
  result.Add(entry);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<HashStore>> HashStore::Open(Options options) {
  SqliteConnection::Options connection;
  connection.path = options.path;
  connection.label = "hash store";
  // WAL: readers keep reading the last commit while a delta is applied.
  // synchronous=FULL: a committed delta survives power loss, not only a
  // crash (one extra fsync per transaction).
  connection.synchronous = SqliteConnection::Synchronous::kFull;
  connection.cache_size_kib = 64 << 10;
  CM_ASSIGN_OR_RETURN(SqliteConnection db, SqliteConnection::Open(connection));
  CM_ASSIGN_OR_RETURN(const int64_t found, ReadSchemaVersion(db));
  if (found != 0 && found != kSchemaVersion) {
    return absl::DataLossError(
        absl::StrCat("hash store ", options.path, " has schema version ", found,
                     ", this build reads ", kSchemaVersion));
  }
  if (found == 0) {
    SqliteTransaction transaction(db);
    CM_RETURN_IF_ERROR(transaction.Begin());
    CM_RETURN_IF_ERROR(db.Exec(
        absl::StrCat(kSchema, "PRAGMA user_version=", kSchemaVersion, ";")));
    CM_RETURN_IF_ERROR(transaction.Commit());
  }
  return std::unique_ptr<HashStore>(
      new HashStore(std::move(options), std::move(db)));
}

HashStore::~HashStore() = default;

absl::Status HashStore::CheckIntegrity() {
  absl::MutexLock lock(&mu_);
  return db_.CheckIntegrity(options_.path);
}

absl::StatusOr<std::optional<FeedCheckpoint>> HashStore::GetCheckpoint(
    absl::string_view feed_id) {
  absl::MutexLock lock(&mu_);
  return GetCheckpointLocked(feed_id);
}

absl::StatusOr<std::optional<FeedCheckpoint>> HashStore::GetCheckpointLocked(
    absl::string_view feed_id) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement select,
      db_.Prepare(
          "SELECT sequence, manifest_created_at FROM feeds WHERE feed_id = ?"));
  select.BindText(1, feed_id);
  CM_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return std::nullopt;
  return FeedCheckpoint{std::string(feed_id),
                        static_cast<uint64_t>(select.Int(0)), select.Int(1)};
}

absl::StatusOr<std::vector<FeedCheckpoint>> HashStore::ListCheckpoints() {
  absl::MutexLock lock(&mu_);
  CM_ASSIGN_OR_RETURN(
      SqliteStatement select,
      db_.Prepare("SELECT feed_id, sequence, manifest_created_at FROM feeds "
                  "ORDER BY feed_id"));
  std::vector<FeedCheckpoint> checkpoints;
  CM_RETURN_IF_ERROR(select.ForEachRow([&](const SqliteStatement& row) {
    checkpoints.push_back(
        {row.Text(0), static_cast<uint64_t>(row.Int(1)), row.Int(2)});
    return absl::OkStatus();
  }));
  return checkpoints;
}

absl::Status HashStore::PutCheckpointLocked(const FeedCheckpoint& checkpoint) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement upsert,
      db_.Prepare("INSERT INTO feeds (feed_id, sequence, manifest_created_at) "
                  "VALUES (?, ?, ?) ON CONFLICT(feed_id) DO UPDATE SET "
                  "sequence = excluded.sequence, "
                  "manifest_created_at = excluded.manifest_created_at"));
  upsert.BindText(1, checkpoint.feed_id);
  upsert.BindInt(2, static_cast<int64_t>(checkpoint.sequence));
  upsert.BindInt(3, checkpoint.manifest_created_at_unix_seconds);
  return upsert.Run();
}

void HashStore::ReportProgress(int64_t written) const {
  if (options_.progress && options_.progress_every > 0 &&
      written % options_.progress_every == 0) {
    options_.progress(written);
  }
}

absl::StatusOr<bool> HashStore::IsNextDeltaLocked(
    const FeedCheckpoint& checkpoint) {
  CM_ASSIGN_OR_RETURN(const std::optional<FeedCheckpoint> current,
                      GetCheckpointLocked(checkpoint.feed_id));
  const uint64_t at = current.has_value() ? current->sequence : 0;
  if (checkpoint.sequence <= at) return false;  // already applied
  if (checkpoint.sequence != at + 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("feed ", checkpoint.feed_id, ": cannot apply delta ",
                     checkpoint.sequence, " on top of checkpoint ", at,
                     " (missing deltas in between)"));
  }
  return true;
}

absl::StatusOr<FeedChanges> HashStore::ApplyDelta(
    const FeedCheckpoint& checkpoint, const std::vector<FeedChange>& changes) {
  absl::MutexLock lock(&mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_ASSIGN_OR_RETURN(const bool next, IsNextDeltaLocked(checkpoint));
  if (!next) return FeedChanges();
  CM_ASSIGN_OR_RETURN(DeltaStatements statements,
                      DeltaStatements::Prepare(db_));
  FeedChangesBuilder result;
  int64_t written = 0;
  for (const FeedChange& change : changes) {
    CM_RETURN_IF_ERROR(
        ApplyChange(db_, statements, checkpoint.feed_id, change, result));
    ReportProgress(++written);
  }
  CM_RETURN_IF_ERROR(PutCheckpointLocked(checkpoint));
  CM_RETURN_IF_ERROR(transaction.Commit());
  return std::move(result).Build();
}

absl::StatusOr<FeedChanges> HashStore::ReplaceWithSnapshot(
    const FeedCheckpoint& checkpoint, const std::vector<FeedEntry>& entries) {
  absl::MutexLock lock(&mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_ASSIGN_OR_RETURN(const std::optional<FeedCheckpoint> current,
                      GetCheckpointLocked(checkpoint.feed_id));
  if (current.has_value() && checkpoint.sequence <= current->sequence) {
    return absl::FailedPreconditionError(absl::StrCat(
        "feed ", checkpoint.feed_id, ": snapshot ", checkpoint.sequence,
        " is not newer than checkpoint ", current->sequence));
  }
  CM_ASSIGN_OR_RETURN(SqliteStatement clear,
                      db_.Prepare("DELETE FROM entries WHERE feed_id = ?"));
  clear.BindText(1, checkpoint.feed_id);
  CM_RETURN_IF_ERROR(clear.Run());
  CM_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_.Prepare(absl::StrCat("INSERT OR REPLACE INTO ", kEntryColumns)));
  int64_t written = 0;
  for (const FeedEntry& entry : entries) {
    CM_RETURN_IF_ERROR(WriteEntry(insert, checkpoint.feed_id, entry));
    ReportProgress(++written);
  }
  CM_RETURN_IF_ERROR(PutCheckpointLocked(checkpoint));
  CM_RETURN_IF_ERROR(transaction.Commit());
  FeedChanges changes;
  changes.full_reload = true;
  return changes;
}

absl::StatusOr<std::vector<FeedEntry>> HashStore::ListEntries(
    absl::string_view feed_id) {
  absl::MutexLock lock(&mu_);
  CM_ASSIGN_OR_RETURN(
      SqliteStatement select,
      db_.Prepare(
          feed_id.empty()
              ? absl::StrCat(kSelectEntryColumns, "ORDER BY feed_id, entry_id")
              : absl::StrCat(kSelectEntryColumns,
                             "WHERE feed_id = ? ORDER BY entry_id")));
  if (!feed_id.empty()) select.BindText(1, feed_id);
  std::vector<FeedEntry> entries;
  CM_RETURN_IF_ERROR(select.ForEachRow([&](const SqliteStatement& row) {
    CM_ASSIGN_OR_RETURN(FeedEntry entry, ReadEntry(row));
    entries.push_back(std::move(entry));
    return absl::OkStatus();
  }));
  return entries;
}

absl::StatusOr<int64_t> HashStore::CountEntries(absl::string_view feed_id) {
  absl::MutexLock lock(&mu_);
  CM_ASSIGN_OR_RETURN(
      SqliteStatement count,
      db_.Prepare(feed_id.empty()
                      ? "SELECT COUNT(*) FROM entries"
                      : "SELECT COUNT(*) FROM entries WHERE feed_id = ?"));
  if (!feed_id.empty()) count.BindText(1, feed_id);
  CM_ASSIGN_OR_RETURN(const bool row, count.Step());
  return row ? count.Int(0) : 0;
}

}  // namespace clearmatch
