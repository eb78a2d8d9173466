// SqliteReviewStore: locking and transactions around the review queries.
#include "review/sqlite_review_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "review/review_listing.h"
#include "review/review_request_checks.h"
#include "review/sqlite_feedback_outbox.h"
#include "review/sqlite_review_queries.h"
#include "review/sqlite_review_reader.h"
#include "review/sqlite_review_schema.h"
#include "sqlite/sqlite_transaction.h"

namespace clearmatch {
namespace {

using review_internal::CheckOutcome;
using review_internal::CheckReviewer;
using review_internal::PageSize;
using review_internal::ParsePageToken;
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
  CM_RETURN_IF_ERROR(store->allowlist_.Load(store->db_));
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

// ---- Reading ---------------------------------------------------------------

absl::StatusOr<v1::MatchRecord> SqliteReviewStore::GetMatch(int64_t match_id) {
  absl::MutexLock lock(&db_mu_);
  return review_internal::SelectMatch(db_, match_id);
}

absl::StatusOr<v1::ListMatchesResponse> SqliteReviewStore::ListMatches(
    const v1::ListMatchesRequest& request) {
  absl::MutexLock lock(&db_mu_);
  review_internal::SqliteReviewReader reader(db_);
  return review_internal::ListMatchesPage(reader, request);
}

absl::StatusOr<v1::ListAuditResponse> SqliteReviewStore::ListAudit(
    const v1::ListAuditRequest& request) {
  absl::MutexLock lock(&db_mu_);
  review_internal::SqliteReviewReader reader(db_);
  return review_internal::ListAuditPage(reader, request);
}

absl::StatusOr<v1::ReviewStats> SqliteReviewStore::GetStats(
    const v1::GetStatsRequest& request) {
  absl::MutexLock lock(&db_mu_);
  review_internal::SqliteReviewReader reader(db_);
  return review_internal::SelectStats(reader, request);
}

// ---- Decisions and the allowlist --------------------------------------------

bool SqliteReviewStore::IsAllowlisted(absl::string_view content_key,
                                      absl::string_view bank,
                                      absl::string_view entry_id) const {
  return allowlist_.Contains(content_key, bank, entry_id);
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
  CM_RETURN_IF_ERROR(
      review_internal::InsertFeedback(db_, record, request, now));
  CM_ASSIGN_OR_RETURN(const bool allowlist_changed,
                      UpdateAllowlistLocked(request, record, previous, now));
  CM_RETURN_IF_ERROR(transaction.Commit());
  if (allowlist_changed) CM_RETURN_IF_ERROR(allowlist_.Load(db_));
  return review_internal::SelectMatch(db_, request.match_id());
}

absl::StatusOr<bool> SqliteReviewStore::UpdateAllowlistLocked(
    const v1::DecideRequest& request, const v1::MatchRecord& record,
    v1::ReviewOutcome previous, int64_t now_micros) {
  const v1::ReviewOutcome outcome = request.outcome();
  if (previous == v1::FALSE_POSITIVE && outcome != v1::FALSE_POSITIVE) {
    // The override says it is a real match after all: stop suppressing it.
    return allowlist_.RemoveOverridden(db_, record.match_id(),
                                       request.reviewer(), now_micros);
  }
  if (outcome == v1::FALSE_POSITIVE && previous != v1::FALSE_POSITIVE) {
    return allowlist_.AddFalsePositive(db_, record, request.reviewer(),
                                       now_micros);
  }
  return false;
}

absl::StatusOr<v1::ListAllowlistResponse> SqliteReviewStore::ListAllowlist(
    const v1::ListAllowlistRequest& request) {
  CM_ASSIGN_OR_RETURN(const int page_size, PageSize(request.page_size()));
  CM_ASSIGN_OR_RETURN(
      const int64_t after,
      ParsePageToken(request.page_token(),
                     SqliteAllowlist::kPageTokenFingerprint, 0));
  absl::MutexLock lock(&db_mu_);
  return allowlist_.List(db_, page_size, after);
}

absl::Status SqliteReviewStore::RemoveAllowlistEntry(
    const v1::RemoveAllowlistEntryRequest& request) {
  CM_RETURN_IF_ERROR(CheckReviewer(request.reviewer(), request.note()));
  const int64_t now = NowMicros();
  absl::MutexLock lock(&db_mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_RETURN_IF_ERROR(allowlist_.Remove(db_, request, now));
  CM_RETURN_IF_ERROR(transaction.Commit());
  return allowlist_.Load(db_);
}

// ---- The feedback outbox ---------------------------------------------------

absl::StatusOr<std::vector<v1::FeedbackRow>> SqliteReviewStore::DueFeedback(
    absl::Time now, int limit, const std::vector<std::string>& skip_banks) {
  if (limit <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: ", limit, " is not positive"));
  }
  absl::MutexLock lock(&db_mu_);
  return review_internal::SelectDueFeedback(db_, absl::ToUnixMicros(now), limit,
                                            skip_banks);
}

absl::Status SqliteReviewStore::UpdateFeedback(
    const std::function<absl::Status(SqliteConnection&)>& update) {
  absl::MutexLock lock(&db_mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_RETURN_IF_ERROR(update(db_));
  return transaction.Commit();
}

absl::Status SqliteReviewStore::MarkFeedbackSent(
    const std::vector<int64_t>& ids) {
  const int64_t now = NowMicros();
  return UpdateFeedback([&](SqliteConnection& db) {
    for (int64_t id : ids) {
      CM_RETURN_IF_ERROR(review_internal::FinishFeedbackAttempt(
          db, id, v1::FEEDBACK_SENT, "", now));
    }
    return absl::OkStatus();
  });
}

absl::Status SqliteReviewStore::RetryFeedbackLater(int64_t id,
                                                   absl::Time next_attempt_at,
                                                   absl::string_view error) {
  const int64_t now = NowMicros();
  return UpdateFeedback([&](SqliteConnection& db) {
    return review_internal::PostponeFeedback(
        db, id, absl::ToUnixMicros(next_attempt_at), error, now);
  });
}

absl::Status SqliteReviewStore::MarkFeedbackRejected(int64_t id,
                                                     absl::string_view error) {
  const int64_t now = NowMicros();
  return UpdateFeedback([&](SqliteConnection& db) {
    return review_internal::FinishFeedbackAttempt(db, id, v1::FEEDBACK_REJECTED,
                                                  error, now);
  });
}

absl::Status SqliteReviewStore::MarkFeedbackNotApplicable(
    const std::vector<int64_t>& ids) {
  const int64_t now = NowMicros();
  return UpdateFeedback([&](SqliteConnection& db) {
    for (int64_t id : ids) {
      CM_RETURN_IF_ERROR(
          review_internal::MarkFeedbackNotApplicable(db, id, now));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ListFeedbackResponse> SqliteReviewStore::ListFeedback(
    const v1::ListFeedbackRequest& request) {
  CM_ASSIGN_OR_RETURN(const int page_size, PageSize(request.page_size()));
  const std::string fingerprint =
      review_internal::ListFeedbackFingerprint(request);
  CM_ASSIGN_OR_RETURN(const int64_t after,
                      ParsePageToken(request.page_token(), fingerprint, 0));
  absl::MutexLock lock(&db_mu_);
  CM_ASSIGN_OR_RETURN(
      std::vector<v1::FeedbackRow> rows,
      review_internal::SelectFeedbackPage(db_, request, after, page_size + 1));
  CM_ASSIGN_OR_RETURN(
      std::vector<v1::FeedbackCount> counts,
      review_internal::CountFeedback(db_, v1::FEEDBACK_STATE_UNSPECIFIED));
  v1::ListFeedbackResponse response;
  if (rows.size() > static_cast<size_t>(page_size)) {
    rows.resize(page_size);
    response.set_next_page_token(
        review_internal::MakePageToken(rows.back().id(), fingerprint));
  }
  for (v1::FeedbackRow& row : rows) *response.add_rows() = std::move(row);
  for (v1::FeedbackCount& count : counts) {
    *response.add_counts() = std::move(count);
  }
  return response;
}

absl::StatusOr<std::vector<v1::FeedbackCount>> SqliteReviewStore::CountFeedback(
    v1::FeedbackState state) {
  absl::MutexLock lock(&db_mu_);
  return review_internal::CountFeedback(db_, state);
}

}  // namespace clearmatch
