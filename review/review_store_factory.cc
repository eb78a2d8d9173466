// Choosing the review store's back end.
#include "review/review_store_factory.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "postgres/postgres_connection.h"
#include "review/audit_chain.h"
#include "review/postgres_audit_chain.h"
#include "review/postgres_review_store.h"
#include "review/sqlite_review_store.h"

namespace clearmatch {

bool IsPostgresUrl(absl::string_view url) {
  return absl::StartsWith(url, "postgresql://") ||
         absl::StartsWith(url, "postgres://");
}

absl::StatusOr<std::unique_ptr<ReviewStore>> OpenReviewStore(
    const ReviewStoreOptions& options) {
  if (options.database_url.empty()) {
    SqliteReviewStore::Options sqlite;
    sqlite.path = absl::StrCat(options.data_dir, "/review.sqlite");
    sqlite.log_warning = options.log_warning;
    CM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteReviewStore> store,
                        SqliteReviewStore::Create(std::move(sqlite)));
    return std::unique_ptr<ReviewStore>(std::move(store));
  }
  if (!IsPostgresUrl(options.database_url)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "review_database_url: \"", RedactDatabaseUrl(options.database_url),
        "\" is not a postgresql:// URL (empty: SQLite in data_dir)"));
  }
  PostgresReviewStore::Options postgres;
  postgres.connection.url = options.database_url;
  postgres.log_warning = options.log_warning;
  CM_ASSIGN_OR_RETURN(std::unique_ptr<PostgresReviewStore> store,
                      PostgresReviewStore::Create(std::move(postgres)));
  return std::unique_ptr<ReviewStore>(std::move(store));
}

absl::StatusOr<int64_t> VerifyReviewAuditChain(const std::string& location) {
  if (!IsPostgresUrl(location)) return VerifyAuditChain(location);
  PostgresConnection::Options options;
  options.url = location;
  options.label = "review store";
  return VerifyPostgresAuditChain(options);
}

}  // namespace clearmatch
