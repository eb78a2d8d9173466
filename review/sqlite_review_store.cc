// SqliteReviewStore: locking and transactions around the review queries.
#include "review/sqlite_review_store.h"

#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "review/allowlist_table.h"
#include "review/feedback_outbox.h"
#include "review/review_request_checks.h"
#include "review/sqlite_review_database.h"
#include "review/sqlite_review_queries.h"
#include "review/sqlite_review_schema.h"
#include "sqlite/sqlite_transaction.h"

namespace clearmatch {
namespace {

using review_internal::CheckOutcome;
using review_internal::CheckReviewer;
using review_internal::ReplacedOutcome;

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

RecordWriter::Options WriterOptions(const SqliteReviewStore::Options& options) {
  RecordWriter::Options writer;
  writer.max_queued_records = options.max_queued_records;
  writer.max_queued_bytes = options.max_queued_bytes;
  writer.max_batch = options.max_batch;
  writer.retry_initial = options.retry_initial;
  writer.retry_max = options.retry_max;
  writer.log_warning = options.log_warning;
  return writer;
}

}  // namespace

SqliteReviewStore::SqliteReviewStore(const Options& options,
                                     SqliteConnection db)
    : db_(std::move(db)),
      writer_(WriterOptions(options),
              [this](std::vector<v1::MatchRecord>& batch) {
                return WriteRecords(batch);
              }) {}

absl::StatusOr<std::unique_ptr<SqliteReviewStore>> SqliteReviewStore::Create(
    Options options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("review store: path is empty");
  }
  if (options.max_queued_records == 0 || options.max_queued_bytes == 0 ||
      options.max_batch <= 0 || options.max_page_count < 0) {
    return absl::InvalidArgumentError(
        "review store: queue bounds and max_batch must be positive, "
        "max_page_count >= 0");
  }
  CM_ASSIGN_OR_RETURN(SqliteConnection db,
                      review_internal::OpenReviewDatabase(
                          options.path, options.max_page_count));
  auto store = std::unique_ptr<SqliteReviewStore>(
      new SqliteReviewStore(options, std::move(db)));
  absl::MutexLock lock(&store->db_mu_);
  CM_RETURN_IF_ERROR(store->LoadAllowlistLocked());
  return store;
}

SqliteReviewStore::~SqliteReviewStore() { Close(); }

// ---- Recording -------------------------------------------------------------

bool SqliteReviewStore::Enqueue(v1::MatchRecord record) {
  return writer_.Enqueue(std::move(record));
}

void SqliteReviewStore::Flush() { writer_.Flush(); }

void SqliteReviewStore::Close() { writer_.Close(); }

ReviewStore::Stats SqliteReviewStore::stats() const { return writer_.stats(); }

absl::Status SqliteReviewStore::WriteRecords(
    std::vector<v1::MatchRecord>& batch) {
  absl::MutexLock lock(&db_mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_RETURN_IF_ERROR(review_internal::InsertRecords(db_, batch));
  return transaction.Commit();
}

absl::Status SqliteReviewStore::WithDatabase(DatabaseCall call) {
  absl::MutexLock lock(&db_mu_);
  review_internal::SqliteReviewDatabase database(db_);
  return call(database);
}

absl::Status SqliteReviewStore::InDatabaseTransaction(DatabaseCall call) {
  absl::MutexLock lock(&db_mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  review_internal::SqliteReviewDatabase database(db_);
  CM_RETURN_IF_ERROR(call(database));
  return transaction.Commit();
}

// ---- Decisions and the allowlist --------------------------------------------

bool SqliteReviewStore::IsAllowlisted(absl::string_view content_key,
                                      absl::string_view bank,
                                      absl::string_view entry_id) const {
  return allowlist_.Contains(content_key, bank, entry_id);
}

absl::Status SqliteReviewStore::LoadAllowlistLocked() {
  review_internal::SqliteReviewDatabase database(db_);
  CM_ASSIGN_OR_RETURN(absl::flat_hash_set<std::string> keys,
                      review_internal::SelectAllowlistKeys(database));
  allowlist_.Replace(std::move(keys), /*version=*/0);
  return absl::OkStatus();
}

absl::StatusOr<v1::MatchRecord> SqliteReviewStore::Decide(
    const v1::DecideRequest& request) {
  CM_RETURN_IF_ERROR(CheckOutcome(request.outcome()));
  CM_RETURN_IF_ERROR(CheckReviewer(request.reviewer(), request.note()));
  const int64_t now = NowMicros();
  absl::MutexLock lock(&db_mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_ASSIGN_OR_RETURN(const v1::MatchRecord record,
                      review_internal::SelectMatch(db_, request.match_id()));
  CM_ASSIGN_OR_RETURN(const v1::ReviewOutcome previous,
                      ReplacedOutcome(record, request));
  CM_RETURN_IF_ERROR(review_internal::InsertDecision(db_, request, now));
  review_internal::SqliteReviewDatabase database(db_);
  CM_RETURN_IF_ERROR(
      review_internal::InsertFeedback(database, record, request, now));
  CM_ASSIGN_OR_RETURN(const bool allowlist_changed,
                      review_internal::ApplyDecisionToAllowlist(
                          database, request, record, previous, now));
  CM_RETURN_IF_ERROR(transaction.Commit());
  if (allowlist_changed) CM_RETURN_IF_ERROR(LoadAllowlistLocked());
  return review_internal::SelectMatch(db_, request.match_id());
}

absl::Status SqliteReviewStore::RemoveAllowlistEntry(
    const v1::RemoveAllowlistEntryRequest& request) {
  CM_RETURN_IF_ERROR(CheckReviewer(request.reviewer(), request.note()));
  const int64_t now = NowMicros();
  absl::MutexLock lock(&db_mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  review_internal::SqliteReviewDatabase database(db_);
  CM_RETURN_IF_ERROR(review_internal::RemovePair(database, request, now));
  CM_RETURN_IF_ERROR(transaction.Commit());
  return LoadAllowlistLocked();
}

}  // namespace clearmatch
