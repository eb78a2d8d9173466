// The review database's schema and opening.
#include "review/sqlite_review_schema.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "sqlite/sqlite_statement.h"

namespace clearmatch::review_internal {
namespace {

constexpr int kSchemaVersion = 1;

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
-- One recorded verdict; `record` is the MatchRecord without its id and
-- decisions. `outcome` is the latest decision (0 = pending).
CREATE TABLE IF NOT EXISTS matches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  recorded_at INTEGER NOT NULL,
  verdict INTEGER NOT NULL,
  outcome INTEGER NOT NULL DEFAULT 0,
  record BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS matches_by_time ON matches(recorded_at);
CREATE TABLE IF NOT EXISTS match_banks (
  bank TEXT NOT NULL,
  match_id INTEGER NOT NULL,
  PRIMARY KEY (bank, match_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  match_id INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  reviewer TEXT NOT NULL,
  note TEXT NOT NULL,
  override INTEGER NOT NULL,
  decided_at INTEGER NOT NULL,
  audit_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_match ON decisions(match_id, id);
CREATE TABLE IF NOT EXISTS allowlist (
  content_key TEXT NOT NULL,
  bank TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  match_id INTEGER NOT NULL,
  added_by TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (content_key, bank, entry_id)
);
CREATE TABLE IF NOT EXISTS dispute_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bank TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  source_feed TEXT NOT NULL,
  hash_type TEXT NOT NULL,
  match_id INTEGER NOT NULL,
  note TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  content BLOB NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
)sql";

// The version the file says it has; "(none)" if it says nothing.
absl::StatusOr<std::string> ReadSchemaVersion(SqliteConnection& db) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement version,
      db.Prepare("SELECT value FROM meta WHERE key = 'schema_version'"));
  CM_ASSIGN_OR_RETURN(const bool has_version, version.Step());
  return has_version ? version.Text(0) : "(none)";
}

}  // namespace

absl::StatusOr<SqliteConnection> OpenReviewDatabase(const std::string& path,
                                                    int64_t max_page_count) {
  SqliteConnection::Options options;
  options.path = path;
  options.label = "review store";
  options.synchronous = SqliteConnection::Synchronous::kFull;
  options.max_page_count = max_page_count;
  CM_ASSIGN_OR_RETURN(SqliteConnection db, SqliteConnection::Open(options));
  CM_RETURN_IF_ERROR(db.Exec(kSchema));
  CM_RETURN_IF_ERROR(db.Exec(
      absl::StrCat("INSERT OR IGNORE INTO meta VALUES ('schema_version', '",
                   kSchemaVersion, "')")));
  CM_ASSIGN_OR_RETURN(const std::string found, ReadSchemaVersion(db));
  if (found != absl::StrCat(kSchemaVersion)) {
    return absl::FailedPreconditionError(
        absl::StrCat("review store \"", path, "\": schema version ", found,
                     ", expected ", kSchemaVersion));
  }
  return db;
}

}  // namespace clearmatch::review_internal
