// SqlReviewStore: the part of a ReviewStore (review/review_store.h) that
// SqliteReviewStore and PostgresReviewStore answer the same way, written
// once over a ReviewDatabase (review/review_database.h): GetMatch,
// ListAllowlist (review/allowlist_table.h), the feedback outbox's calls
// (review/feedback_outbox.h) and the web page's listings and reports
// (review/review_listing.h). An engine's store
// derives from it and lends it its database under the store's lock, in a
// transaction or not; it keeps what differs: the connection, transactions
// and locking, recording, decisions and the allowlist.
//
//   class SqliteReviewStore final : public SqlReviewStore {
//     absl::Status WithDatabase(DatabaseCall call) override {
//       absl::MutexLock lock(&db_mu_);
//       review_internal::SqliteReviewDatabase db(db_);
//       return call(db);
//     }
//     ...
//
// Thread-safe when the derived store's WithDatabase and
// InDatabaseTransaction are (each call holds the connection's lock
// throughout; checks of the request run before it is taken).
#ifndef CLEARMATCH_REVIEW_SQL_REVIEW_STORE_H_
#define CLEARMATCH_REVIEW_SQL_REVIEW_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clearmatch/v1/review.pb.h"
#include "review/review_database.h"
#include "review/review_store.h"

namespace clearmatch {

class SqlReviewStore : public ReviewStore {
 public:
  absl::StatusOr<v1::MatchRecord> GetMatch(int64_t match_id) override;
  absl::StatusOr<v1::ListMatchesResponse> ListMatches(
      const v1::ListMatchesRequest& request) override;
  absl::StatusOr<v1::ListAllowlistResponse> ListAllowlist(
      const v1::ListAllowlistRequest& request) override;

  absl::StatusOr<std::vector<v1::FeedbackRow>> DueFeedback(
      absl::Time now, int limit,
      const std::vector<std::string>& skip_banks) override;
  absl::Status MarkFeedbackSent(const std::vector<int64_t>& ids) override;
  absl::Status RetryFeedbackLater(int64_t id, absl::Time next_attempt_at,
                                  absl::string_view error) override;
  absl::Status MarkFeedbackRejected(int64_t id,
                                    absl::string_view error) override;
  absl::Status MarkFeedbackNotApplicable(
      const std::vector<int64_t>& ids) override;
  absl::StatusOr<v1::ListFeedbackResponse> ListFeedback(
      const v1::ListFeedbackRequest& request) override;
  absl::StatusOr<std::vector<v1::FeedbackCount>> CountFeedback(
      v1::FeedbackState state) override;

  absl::StatusOr<v1::ListAuditResponse> ListAudit(
      const v1::ListAuditRequest& request) override;
  absl::StatusOr<v1::ReviewStats> GetStats(
      const v1::GetStatsRequest& request) override;

 protected:
  using DatabaseCall =
      absl::FunctionRef<absl::Status(review_internal::ReviewDatabase&)>;

  // Runs `call` on the store's database, holding the connection's lock.
  virtual absl::Status WithDatabase(DatabaseCall call) = 0;
  // The same in one transaction: committed when `call` succeeds, rolled
  // back when it or the commit fails.
  virtual absl::Status InDatabaseTransaction(DatabaseCall call) = 0;

 private:
  // What `read` returns, run by WithDatabase.
  template <typename T>
  absl::StatusOr<T> Read(
      absl::FunctionRef<absl::StatusOr<T>(review_internal::ReviewDatabase&)>
          read);
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_SQL_REVIEW_STORE_H_
