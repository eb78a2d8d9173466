// The review database's schema and opening.
#include "review/sqlite_review_schema.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "review/allowlist_migration.h"
#include "review/schema_v4_migration.h"
#include "sqlite/sqlite_statement.h"
#include "sqlite/sqlite_transaction.h"

namespace clearmatch::review_internal {
namespace {

constexpr int kSchemaVersion = 4;

// The version-3 schema, plus the tables that version 4 added (their
// contents and the new column come from MigrateToSchema4).
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
-- The feedback outbox: one row per matched entry of every CONFIRMED or
-- FALSE_POSITIVE decision (times in unix microseconds; `verdict` is the
-- ReviewOutcome; `state` pending|sent|rejected|superseded|not_applicable).
CREATE TABLE IF NOT EXISTS feedback_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bank TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  source_feed TEXT NOT NULL,
  hash_type TEXT NOT NULL,
  match_id INTEGER NOT NULL,
  verdict INTEGER NOT NULL,
  note TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'pending',
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_by_state ON feedback_outbox(state, id);
CREATE INDEX IF NOT EXISTS feedback_by_bank ON feedback_outbox(bank, state);
CREATE INDEX IF NOT EXISTS feedback_by_match
  ON feedback_outbox(match_id, state);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  content BLOB NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS match_categories (
  category TEXT NOT NULL,
  match_id INTEGER NOT NULL,
  PRIMARY KEY (category, match_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_matches (
  match_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (match_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
)sql";

// Version 1 kept only FALSE_POSITIVE decisions, in dispute_outbox (sent_at
// NULL while pending): its rows move to feedback_outbox (kSchema created it)
// as FALSE_POSITIVE rows, pending or sent.
constexpr char kMigrateFrom1[] = R"sql(
INSERT INTO feedback_outbox (bank, entry_id, source_feed, hash_type,
    match_id, verdict, note, created_at, state, updated_at)
  SELECT bank, entry_id, source_feed, hash_type, match_id, 2, note,
         created_at, CASE WHEN sent_at IS NULL THEN 'pending' ELSE 'sent' END,
         COALESCE(sent_at, created_at)
  FROM dispute_outbox ORDER BY id;
DROP TABLE dispute_outbox;
UPDATE meta SET value = '2' WHERE key = 'schema_version';
)sql";

// The version the file says it has; "(none)" if it says nothing.
absl::StatusOr<std::string> ReadSchemaVersion(SqliteConnection& db) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement version,
      db.Prepare("SELECT value FROM meta WHERE key = 'schema_version'"));
  CM_ASSIGN_OR_RETURN(const bool has_version, version.Step());
  return has_version ? version.Text(0) : "(none)";
}

// Creates the missing tables and checks the version, migrating a version-1,
// -2 or -3 file step by step (a new file is created as version 3 and takes
// the step to 4); in one transaction, so that a file is created or migrated
// completely or not at all.
absl::Status CreateOrMigrate(SqliteConnection& db, const std::string& path) {
  SqliteTransaction transaction(db);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_RETURN_IF_ERROR(db.Exec(kSchema));
  CM_RETURN_IF_ERROR(
      db.Exec("INSERT OR IGNORE INTO meta VALUES ('schema_version', '3')"));
  CM_ASSIGN_OR_RETURN(std::string found, ReadSchemaVersion(db));
  if (found == "1") {
    CM_RETURN_IF_ERROR(db.Exec(kMigrateFrom1));
    found = "2";
  }
  if (found == "2") {
    // Version 2's allowlist paired every hash with every entry.
    CM_RETURN_IF_ERROR(
        KeepAllowlistRowsOfTheMatchedKind(db, absl::ToUnixMicros(absl::Now())));
    CM_RETURN_IF_ERROR(
        db.Exec("UPDATE meta SET value = '3' WHERE key = 'schema_version'"));
    found = "3";
  }
  if (found == "3") {
    CM_RETURN_IF_ERROR(MigrateToSchema4(db));
  } else if (found != absl::StrCat(kSchemaVersion)) {
    return absl::FailedPreconditionError(
        absl::StrCat("review store \"", path, "\": schema version ", found,
                     ", expected ", kSchemaVersion));
  }
  return transaction.Commit();
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
  CM_RETURN_IF_ERROR(CreateOrMigrate(db, path));
  return db;
}

}  // namespace clearmatch::review_internal
