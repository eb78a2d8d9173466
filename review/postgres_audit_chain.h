// The audit chain's verification (review/audit_chain.h) for a PostgreSQL
// review database: the same checks as VerifyAuditChain on a SQLite file,
// read in one REPEATABLE READ, READ ONLY snapshot (replicas may keep
// appending meanwhile), in pages, so that a long trail is never loaded at
// once.
//
//   absl::StatusOr<int64_t> rows = VerifyPostgresAuditChain(options);
#ifndef CLEARMATCH_REVIEW_POSTGRES_AUDIT_CHAIN_H_
#define CLEARMATCH_REVIEW_POSTGRES_AUDIT_CHAIN_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "postgres/postgres_connection.h"

namespace clearmatch {

// The number of audit rows; DATA_LOSS naming the first bad row and what is
// wrong with it; UNAVAILABLE when the database cannot be reached;
// FAILED_PRECONDITION when it has no review schema.
absl::StatusOr<int64_t> VerifyPostgresAuditChain(
    const PostgresConnection::Options& options);

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_POSTGRES_AUDIT_CHAIN_H_
