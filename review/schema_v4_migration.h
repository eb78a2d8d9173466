// Schema 3 -> 4 of the review database: what the reviewers' web page
// filters and shows needs columns of its own. matches.context (the Check's
// Context), match_categories (the categories a record matched, as
// match_banks has its banks) and audit_matches (the match each audit row is
// about, so that a match's audit trail is one index lookup). The step
// creates them and fills them from the stored records and audit rows; a
// fresh file runs it on empty tables.
//
//   CM_RETURN_IF_ERROR(MigrateToSchema4(db));  // inside the open transaction
//
// Runs inside the caller's transaction; thread-compatible (the connection).
#ifndef CLEARMATCH_REVIEW_SCHEMA_V4_MIGRATION_H_
#define CLEARMATCH_REVIEW_SCHEMA_V4_MIGRATION_H_

#include "absl/status/status.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch::review_internal {

// Adds the version-4 columns, tables and indexes to a version-3 file and
// fills them; sets the schema version to 4.
absl::Status MigrateToSchema4(SqliteConnection& db);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_SCHEMA_V4_MIGRATION_H_
