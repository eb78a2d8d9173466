// The PostgreSQL review schema, version by version.
#include "review/postgres_review_schema.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clearmatch/v1/review.pb.h"
#include "common/status_macros.h"
#include "postgres/postgres_transaction.h"
#include "review/postgres_review_queries.h"
#include "review/review_listing.h"

namespace clearmatch::review_internal {
namespace {

struct Migration {
  int version;
  const char* description;
  const char* sql;
  // Fills what the SQL added from the rows already there; may be null.
  absl::Status (*fill)(PostgresConnection& db);
};

// Rows read per statement.
constexpr int kBatch = 1000;

// The context and categories of every stored record (a record that does
// not parse keeps the defaults, as on SQLite).
absl::Status FillMatchFilters(PostgresConnection& db) {
  int64_t after = 0;
  while (true) {
    CM_ASSIGN_OR_RETURN(
        PostgresResult rows,
        db.Query("SELECT id, record FROM matches WHERE id > $1::bigint "
                 "ORDER BY id LIMIT $2::integer",
                 {after, kBatch}));
    for (int i = 0; i < rows.rows(); ++i) {
      after = rows.Int(i, 0);
      v1::MatchRecord record;
      if (!record.ParseFromString(rows.Bytes(i, 1))) continue;
      CM_RETURN_IF_ERROR(db.Query("UPDATE matches SET context = $1::integer "
                                  "WHERE id = $2::bigint",
                                  {static_cast<int>(record.context()), after})
                             .status());
      CM_RETURN_IF_ERROR(InsertCategories(db, after, record));
    }
    if (rows.rows() < kBatch) return absl::OkStatus();
  }
}

// audit_matches from the audit rows' contents.
absl::Status FillAuditMatches(PostgresConnection& db) {
  int64_t after = 0;
  while (true) {
    CM_ASSIGN_OR_RETURN(
        PostgresResult rows,
        db.Query("SELECT seq, kind, content FROM audit WHERE seq > $1::bigint "
                 "ORDER BY seq LIMIT $2::integer",
                 {after, kBatch}));
    for (int i = 0; i < rows.rows(); ++i) {
      after = rows.Int(i, 0);
      const int64_t match_id =
          AuditContentMatchId(rows.Text(i, 1), rows.Bytes(i, 2));
      if (match_id == 0) continue;
      CM_RETURN_IF_ERROR(
          db.Query("INSERT INTO audit_matches VALUES ($1::bigint, $2::bigint) "
                   "ON CONFLICT DO NOTHING",
                   {match_id, after})
              .status());
    }
    if (rows.rows() < kBatch) return absl::OkStatus();
  }
}

// Schema 2's rows from schema 1's: the context and categories of every
// record, the match of every audit row.
absl::Status FillSchemaV2(PostgresConnection& db) {
  CM_RETURN_IF_ERROR(FillMatchFilters(db));
  return FillAuditMatches(db);
}

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

// What SQLite's schema 4 added for the reviewers' web page: the Check's
// context, the categories of each match, the match each audit row is about
// (FillSchemaV2 fills them from the rows already there), and the queue's index.
constexpr char kVersion2[] = R"sql(
ALTER TABLE matches ADD COLUMN context INTEGER NOT NULL DEFAULT 0;
CREATE TABLE match_categories (
  category TEXT NOT NULL,
  match_id BIGINT NOT NULL,
  PRIMARY KEY (category, match_id)
);
CREATE TABLE audit_matches (
  match_id BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (match_id, seq)
);
CREATE INDEX matches_by_outcome ON matches(outcome, id);
CREATE INDEX audit_matches_by_seq ON audit_matches(seq);
)sql";

// Append only: a new version adds an entry; an applied one never changes.
constexpr Migration kMigrations[] = {
    {1, "the review tables (schema 3 of the SQLite store)", kVersion1, nullptr},
    {2, "context, match categories, audit rows by match (SQLite schema 4)",
     kVersion2, FillSchemaV2},
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

absl::Status ApplyMigrations(PostgresConnection& db, int up_to_version) {
  for (const Migration& migration : kMigrations) {
    if (migration.version > up_to_version) break;
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
    if (migration.fill != nullptr) CM_RETURN_IF_ERROR(migration.fill(db));
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
