// PostgresReviewStore: locking and transactions around the review queries.
#include "review/postgres_review_store.h"

#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "postgres/postgres_transaction.h"
#include "review/feedback_outbox.h"
#include "review/postgres_review_database.h"
#include "review/postgres_review_queries.h"
#include "review/postgres_review_schema.h"
#include "review/review_request_checks.h"

namespace clearmatch {
namespace {

using review_internal::CheckOutcome;
using review_internal::CheckReviewer;
using review_internal::ReplacedOutcome;

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

RecordWriter::Options WriterOptions(
    const PostgresReviewStore::Options& options) {
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

PostgresReviewStore::PostgresReviewStore(const Options& options,
                                         PostgresConnection db)
    : db_(std::move(db)),
      writer_(WriterOptions(options),
              [this](std::vector<v1::MatchRecord>& batch) {
                return WriteRecords(batch);
              }) {}

absl::StatusOr<std::unique_ptr<PostgresReviewStore>>
PostgresReviewStore::Create(Options options) {
  if (options.connection.url.empty()) {
    return absl::InvalidArgumentError("review store: database URL is empty");
  }
  if (options.max_queued_records == 0 || options.max_queued_bytes == 0 ||
      options.max_batch <= 0 ||
      options.allowlist_poll_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "review store: queue bounds, max_batch and the allowlist poll "
        "interval must be positive");
  }
  if (options.connection.label == "postgresql") {
    options.connection.label = "review store";
  }
  CM_ASSIGN_OR_RETURN(PostgresConnection db,
                      PostgresConnection::Open(options.connection));
  CM_RETURN_IF_ERROR(review_internal::ApplyMigrations(db));
  auto store = std::unique_ptr<PostgresReviewStore>(
      new PostgresReviewStore(options, std::move(db)));
  {
    absl::MutexLock lock(&store->db_mu_);
    CM_RETURN_IF_ERROR(store->allowlist_.Load(store->db_));
  }
  AllowlistFollower::Options follower;
  follower.connection = options.connection;
  follower.poll_interval = options.allowlist_poll_interval;
  follower.log_warning = options.log_warning;
  store->follower_ =
      std::make_unique<AllowlistFollower>(follower, store->allowlist_);
  return store;
}

PostgresReviewStore::~PostgresReviewStore() {
  Close();
  if (follower_ != nullptr) follower_->Stop();
}

// ---- Recording -------------------------------------------------------------

bool PostgresReviewStore::Enqueue(v1::MatchRecord record) {
  return writer_.Enqueue(std::move(record));
}

void PostgresReviewStore::Flush() { writer_.Flush(); }

void PostgresReviewStore::Close() { writer_.Close(); }

ReviewStore::Stats PostgresReviewStore::stats() const {
  return writer_.stats();
}

absl::Status PostgresReviewStore::WriteRecords(
    std::vector<v1::MatchRecord>& batch) {
  return InTransaction([&](PostgresConnection& db) {
    return review_internal::InsertRecords(db, batch);
  });
}

absl::Status PostgresReviewStore::InTransaction(
    absl::FunctionRef<absl::Status(PostgresConnection&)> update) {
  absl::MutexLock lock(&db_mu_);
  PostgresTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_RETURN_IF_ERROR(update(db_));
  return transaction.Commit();
}

absl::Status PostgresReviewStore::WithDatabase(DatabaseCall call) {
  absl::MutexLock lock(&db_mu_);
  review_internal::PostgresReviewDatabase database(db_);
  return call(database);
}

absl::Status PostgresReviewStore::InDatabaseTransaction(DatabaseCall call) {
  return InTransaction([&](PostgresConnection& db) {
    review_internal::PostgresReviewDatabase database(db);
    return call(database);
  });
}

// ---- Decisions and the allowlist --------------------------------------------

bool PostgresReviewStore::IsAllowlisted(absl::string_view content_key,
                                        absl::string_view bank,
                                        absl::string_view entry_id) const {
  return allowlist_.Contains(content_key, bank, entry_id);
}

absl::StatusOr<v1::MatchRecord> PostgresReviewStore::Decide(
    const v1::DecideRequest& request) {
  CM_RETURN_IF_ERROR(CheckOutcome(request.outcome()));
  CM_RETURN_IF_ERROR(CheckReviewer(request.reviewer(), request.note()));
  const int64_t now = NowMicros();
  absl::MutexLock lock(&db_mu_);
  CM_ASSIGN_OR_RETURN(const bool allowlist_changed, DecideLocked(request, now));
  if (allowlist_changed) CM_RETURN_IF_ERROR(allowlist_.Load(db_));
  return review_internal::SelectMatch(db_, request.match_id());
}

absl::StatusOr<bool> PostgresReviewStore::DecideLocked(
    const v1::DecideRequest& request, int64_t now_micros) {
  PostgresTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  // FOR UPDATE: another replica's decision on this match waits for ours.
  CM_ASSIGN_OR_RETURN(
      const v1::MatchRecord record,
      review_internal::SelectMatch(db_, request.match_id(), /*lock=*/true));
  CM_ASSIGN_OR_RETURN(const v1::ReviewOutcome previous,
                      ReplacedOutcome(record, request));
  CM_RETURN_IF_ERROR(review_internal::InsertDecision(db_, request, now_micros));
  review_internal::PostgresReviewDatabase database(db_);
  CM_RETURN_IF_ERROR(
      review_internal::InsertFeedback(database, record, request, now_micros));
  CM_ASSIGN_OR_RETURN(
      const bool allowlist_changed,
      allowlist_.ApplyDecision(db_, request, record, previous, now_micros));
  CM_RETURN_IF_ERROR(transaction.Commit());
  return allowlist_changed;
}

absl::Status PostgresReviewStore::RemoveAllowlistEntry(
    const v1::RemoveAllowlistEntryRequest& request) {
  CM_RETURN_IF_ERROR(CheckReviewer(request.reviewer(), request.note()));
  const int64_t now = NowMicros();
  CM_RETURN_IF_ERROR(InTransaction([&](PostgresConnection& db) {
    return allowlist_.Remove(db, request, now);
  }));
  absl::MutexLock lock(&db_mu_);
  return allowlist_.Load(db_);
}

}  // namespace clearmatch
