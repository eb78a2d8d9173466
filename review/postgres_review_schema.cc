// The PostgreSQL review schema, version by version.
#include "review/postgres_review_schema.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "postgres/postgres_transaction.h"

namespace clearmatch::review_internal {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// Times are unix microseconds; outcomes, verdicts and decisions the
// proto enums' numbers; `record` the MatchRecord without id and decisions.
constexpr char kVersion1[] = R"sql(
CREATE TABLE matches (
  id BIGSERIAL PRIMARY KEY,
  recorded_at BIGINT NOT NULL,
  verdict INTEGER NOT NULL,
  outcome INTEGER NOT NULL DEFAULT 0,
  record BYTEA NOT NULL
);
CREATE INDEX matches_by_time ON matches(recorded_at);
CREATE TABLE match_banks (
  bank TEXT NOT NULL,
  match_id BIGINT NOT NULL,
  PRIMARY KEY (bank, match_id)
);
CREATE TABLE decisions (
  id BIGSERIAL PRIMARY KEY,
  match_id BIGINT NOT NULL,
  outcome INTEGER NOT NULL,
  reviewer TEXT NOT NULL,
  note TEXT NOT NULL,
  override INTEGER NOT NULL,
  decided_at BIGINT NOT NULL,
  audit_seq BIGINT NOT NULL
);
CREATE INDEX decisions_by_match ON decisions(match_id, id);
CREATE TABLE allowlist (
  row_id BIGSERIAL UNIQUE,
  content_key TEXT NOT NULL,
  bank TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  match_id BIGINT NOT NULL,
  added_by TEXT NOT NULL,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (content_key, bank, entry_id)
);
CREATE TABLE allowlist_version (
  only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
  version BIGINT NOT NULL
);
INSERT INTO allowlist_version VALUES (TRUE, 0);
CREATE TABLE feedback_outbox (
  id BIGSERIAL PRIMARY KEY,
  bank TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  source_feed TEXT NOT NULL,
  hash_type TEXT NOT NULL,
  match_id BIGINT NOT NULL,
  verdict INTEGER NOT NULL,
  note TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT 'pending',
  updated_at BIGINT NOT NULL
);
CREATE INDEX feedback_by_state ON feedback_outbox(state, id);
CREATE INDEX feedback_by_bank ON feedback_outbox(bank, state);
CREATE INDEX feedback_by_match ON feedback_outbox(match_id, state);
CREATE TABLE audit (
  seq BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  content BYTEA NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE FUNCTION clearmatch_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
  ON audit FOR EACH STATEMENT EXECUTE FUNCTION clearmatch_append_only();
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
  ON decisions FOR EACH STATEMENT EXECUTE FUNCTION clearmatch_append_only();
)sql";

// Append only: a new version adds an entry; an applied one never changes.
constexpr Migration kMigrations[] = {
    {1, "the review tables (schema 3 of the SQLite store)", kVersion1},
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) ==
              kPostgresSchemaVersion);

// Any constant: the advisory lock that serialises migrating replicas.
constexpr char kMigrationLock[] = "SELECT pg_advisory_xact_lock(7240115)";

absl::StatusOr<int64_t> AppliedVersion(PostgresConnection& db) {
  CM_RETURN_IF_ERROR(db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
      "KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
  CM_ASSIGN_OR_RETURN(
      PostgresResult found,
      db.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  return found.Int(0, 0);
}

}  // namespace

absl::Status ApplyMigrations(PostgresConnection& db) {
  for (const Migration& migration : kMigrations) {
    PostgresTransaction transaction(db);
    CM_RETURN_IF_ERROR(transaction.Begin());
    CM_RETURN_IF_ERROR(db.Exec(kMigrationLock));
    CM_ASSIGN_OR_RETURN(const int64_t applied, AppliedVersion(db));
    if (applied > kPostgresSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          "review store: the database has schema version ", applied,
          ", newer than this clearmatchd's ", kPostgresSchemaVersion,
          " (downgrades are not supported)"));
    }
    if (applied >= migration.version) continue;  // rolled back: no change
    CM_RETURN_IF_ERROR(db.Exec(migration.sql));
    CM_RETURN_IF_ERROR(
        db.Query("INSERT INTO schema_migrations VALUES ($1::integer, $2, "
                 "$3::bigint)",
                 {migration.version, migration.description,
                  absl::ToUnixMicros(absl::Now())})
            .status());
    CM_RETURN_IF_ERROR(transaction.Commit());
  }
  return absl::OkStatus();
}

}  // namespace clearmatch::review_internal
