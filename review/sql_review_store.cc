// SqlReviewStore: the store calls written once, over the engine's database.
#include "review/sql_review_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "review/allowlist_table.h"
#include "review/feedback_outbox.h"
#include "review/review_listing.h"
#include "review/review_request_checks.h"

namespace clearmatch {
namespace {

using review_internal::ReviewDatabase;

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

}  // namespace

template <typename T>
absl::StatusOr<T> SqlReviewStore::Read(
    absl::FunctionRef<absl::StatusOr<T>(ReviewDatabase&)> read) {
  absl::StatusOr<T> result;
  CM_RETURN_IF_ERROR(WithDatabase([&](ReviewDatabase& db) {
    result = read(db);
    return absl::OkStatus();
  }));
  return result;
}

// ---- Reading ---------------------------------------------------------------

absl::StatusOr<v1::MatchRecord> SqlReviewStore::GetMatch(int64_t match_id) {
  return Read<v1::MatchRecord>(
      [&](ReviewDatabase& db) { return db.Match(match_id); });
}

absl::StatusOr<v1::ListMatchesResponse> SqlReviewStore::ListMatches(
    const v1::ListMatchesRequest& request) {
  return Read<v1::ListMatchesResponse>([&](ReviewDatabase& db) {
    return review_internal::ListMatchesPage(db, request);
  });
}

absl::StatusOr<v1::ListAllowlistResponse> SqlReviewStore::ListAllowlist(
    const v1::ListAllowlistRequest& request) {
  CM_ASSIGN_OR_RETURN(const int page_size,
                      review_internal::PageSize(request.page_size()));
  CM_ASSIGN_OR_RETURN(const int64_t after,
                      review_internal::ParsePageToken(
                          request.page_token(),
                          review_internal::kAllowlistTokenFingerprint, 0));
  return Read<v1::ListAllowlistResponse>([&](ReviewDatabase& db) {
    return review_internal::SelectAllowlistPage(db, page_size, after);
  });
}

absl::StatusOr<v1::ListAuditResponse> SqlReviewStore::ListAudit(
    const v1::ListAuditRequest& request) {
  return Read<v1::ListAuditResponse>([&](ReviewDatabase& db) {
    return review_internal::ListAuditPage(db, request);
  });
}

absl::StatusOr<v1::ReviewStats> SqlReviewStore::GetStats(
    const v1::GetStatsRequest& request) {
  return Read<v1::ReviewStats>([&](ReviewDatabase& db) {
    return review_internal::SelectStats(db, request);
  });
}

// ---- The feedback outbox ---------------------------------------------------

absl::StatusOr<std::vector<v1::FeedbackRow>> SqlReviewStore::DueFeedback(
    absl::Time now, int limit, const std::vector<std::string>& skip_banks) {
  if (limit <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: ", limit, " is not positive"));
  }
  return Read<std::vector<v1::FeedbackRow>>([&](ReviewDatabase& db) {
    return review_internal::SelectDueFeedback(db, absl::ToUnixMicros(now),
                                              limit, skip_banks);
  });
}

absl::Status SqlReviewStore::MarkFeedbackSent(const std::vector<int64_t>& ids) {
  const int64_t now = NowMicros();
  return InDatabaseTransaction([&](ReviewDatabase& db) {
    for (int64_t id : ids) {
      CM_RETURN_IF_ERROR(review_internal::FinishFeedbackAttempt(
          db, id, v1::FEEDBACK_SENT, "", now));
    }
    return absl::OkStatus();
  });
}

absl::Status SqlReviewStore::RetryFeedbackLater(int64_t id,
                                                absl::Time next_attempt_at,
                                                absl::string_view error) {
  const int64_t now = NowMicros();
  return InDatabaseTransaction([&](ReviewDatabase& db) {
    return review_internal::PostponeFeedback(
        db, id, absl::ToUnixMicros(next_attempt_at), error, now);
  });
}

absl::Status SqlReviewStore::MarkFeedbackRejected(int64_t id,
                                                  absl::string_view error) {
  const int64_t now = NowMicros();
  return InDatabaseTransaction([&](ReviewDatabase& db) {
    return review_internal::FinishFeedbackAttempt(db, id, v1::FEEDBACK_REJECTED,
                                                  error, now);
  });
}

absl::Status SqlReviewStore::MarkFeedbackNotApplicable(
    const std::vector<int64_t>& ids) {
  const int64_t now = NowMicros();
  return InDatabaseTransaction([&](ReviewDatabase& db) {
    for (int64_t id : ids) {
      CM_RETURN_IF_ERROR(
          review_internal::MarkFeedbackNotApplicable(db, id, now));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ListFeedbackResponse> SqlReviewStore::ListFeedback(
    const v1::ListFeedbackRequest& request) {
  CM_ASSIGN_OR_RETURN(const int page_size,
                      review_internal::PageSize(request.page_size()));
  const std::string fingerprint =
      review_internal::ListFeedbackFingerprint(request);
  CM_ASSIGN_OR_RETURN(
      const int64_t after,
      review_internal::ParsePageToken(request.page_token(), fingerprint, 0));
  std::vector<v1::FeedbackRow> rows;
  std::vector<v1::FeedbackCount> counts;
  // The page and the counts under one lock.
  CM_RETURN_IF_ERROR(WithDatabase([&](ReviewDatabase& db) -> absl::Status {
    CM_ASSIGN_OR_RETURN(rows, review_internal::SelectFeedbackPage(
                                  db, request, after, page_size + 1));
    CM_ASSIGN_OR_RETURN(counts, review_internal::CountFeedback(
                                    db, v1::FEEDBACK_STATE_UNSPECIFIED));
    return absl::OkStatus();
  }));
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

absl::StatusOr<std::vector<v1::FeedbackCount>> SqlReviewStore::CountFeedback(
    v1::FeedbackState state) {
  return Read<std::vector<v1::FeedbackCount>>([&](ReviewDatabase& db) {
    return review_internal::CountFeedback(db, state);
  });
}

}  // namespace clearmatch
