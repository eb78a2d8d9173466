// The PostgreSQL review database's schema and its versioned migrations.
// schema_migrations holds one row per applied version; ApplyMigrations
// brings a database to kPostgresSchemaVersion at start-up, each version in
// its own transaction, under an advisory lock so that replicas starting
// together migrate once. The tables mean what SQLite's do
// (review/sqlite_review_schema.cc); allowlist_version counts allowlist
// changes for the replicas' fallback poll, and every change also sends
// NOTIFY on kAllowlistChannel. Version 2 is SQLite's schema 4 (the web
// page's context, categories and audit rows by match), filled from the
// rows of version 1.
//
//   CM_RETURN_IF_ERROR(ApplyMigrations(db));
#ifndef CLEARMATCH_REVIEW_POSTGRES_REVIEW_SCHEMA_H_
#define CLEARMATCH_REVIEW_POSTGRES_REVIEW_SCHEMA_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "postgres/postgres_connection.h"

namespace clearmatch::review_internal {

inline constexpr int kPostgresSchemaVersion = 2;
// The channel of allowlist changes (LISTEN / NOTIFY).
inline constexpr char kAllowlistChannel[] = "clearmatch_allowlist";

// Applies the missing migrations in order, up to `up_to_version` (tests make
// databases of an older version). FAILED_PRECONDITION when the database is
// newer than this binary (a downgrade); the connection's errors
// (UNAVAILABLE...).
absl::Status ApplyMigrations(PostgresConnection& db,
                             int up_to_version = kPostgresSchemaVersion);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_POSTGRES_REVIEW_SCHEMA_H_
