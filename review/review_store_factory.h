// OpenReviewStore: the ReviewStore the configuration asks for: SQLite in
// data_dir (review.sqlite) when review_database_url is empty, as a single
// clearmatchd has it; PostgreSQL (review/postgres_review_store.h) for a
// "postgresql://" or "postgres://" URL, which several replicas share.
//
//   ReviewStoreOptions options;
//   options.data_dir = config.data_dir();
//   options.database_url = config.review_database_url();
//   CM_ASSIGN_OR_RETURN(std::unique_ptr<ReviewStore> store,
//                       OpenReviewStore(options));
#ifndef CLEARMATCH_REVIEW_REVIEW_STORE_FACTORY_H_
#define CLEARMATCH_REVIEW_REVIEW_STORE_FACTORY_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "review/review_store.h"

namespace clearmatch {

struct ReviewStoreOptions {
  std::string data_dir;
  // Empty: SQLite in data_dir. Else a PostgreSQL URL (a password in it is
  // never logged; libpq's passfile parameter or $PGPASSFILE keep it out).
  std::string database_url;
  std::function<void(absl::string_view)> log_warning;
};

// INVALID_ARGUMENT for a URL of another scheme; the stores' Create errors.
absl::StatusOr<std::unique_ptr<ReviewStore>> OpenReviewStore(
    const ReviewStoreOptions& options);

// Whether `url` names a PostgreSQL database (the schemes libpq accepts).
bool IsPostgresUrl(absl::string_view url);

// The audit chain's check (review verify-audit) of either store: a SQLite
// file's path, or a PostgreSQL URL.
absl::StatusOr<int64_t> VerifyReviewAuditChain(const std::string& location);

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_REVIEW_STORE_FACTORY_H_
