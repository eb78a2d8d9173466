// The SQLite review database: its tables (matches, match_banks, decisions,
// allowlist, feedback_outbox, audit, meta) and opening a file with them.
//
//   CM_ASSIGN_OR_RETURN(SqliteConnection db,
//                       OpenReviewDatabase(path, /*max_page_count=*/0));
//
// The decisions and audit tables are append-only (triggers refuse UPDATE
// and DELETE).
#ifndef CLEARMATCH_REVIEW_SQLITE_REVIEW_SCHEMA_H_
#define CLEARMATCH_REVIEW_SQLITE_REVIEW_SCHEMA_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch::review_internal {

// Opens (creates) the file in WAL mode with synchronous=FULL (a returned
// commit survives power loss), creates the tables that are missing and
// checks the schema version, migrating older files in the same
// transaction: version 1's dispute outbox becomes the feedback outbox;
// version 2's allowlist keeps only the rows of the kind that matched
// (review/allowlist_migration.h).
// `max_page_count`: SqliteConnection::Options.
// Errors: FAILED_PRECONDITION cannot open or another schema version;
// DATA_LOSS not a database.
absl::StatusOr<SqliteConnection> OpenReviewDatabase(const std::string& path,
                                                    int64_t max_page_count);

}  // namespace clearmatch::review_internal

#endif  // CLEARMATCH_REVIEW_SQLITE_REVIEW_SCHEMA_H_
