// PostgresReviewStore: the ReviewStore (review/review_store.h) in a
// PostgreSQL 15 database that several clearmatchd replicas share
// (review/postgres_review_schema.h: versioned migrations applied at
// Create). Same semantics as SqliteReviewStore: decisions and allowlist
// changes are durable when the call returns (committed); verdict records go
// through a RecordWriter, one transaction per batch. The allowlist is in
// memory on every replica: a change made here is in this replica's set
// when the call returns, and in the other replicas' within a second (their
// AllowlistFollower: LISTEN/NOTIFY, with a poll of allowlist_version as
// fallback). The calls that both stores answer the same way are
// SqlReviewStore's (review/sql_review_store.h), on this store's connection.
//
// While the database is unreachable, Checks go on: IsAllowlisted answers
// from memory, records stay queued (bounded; counted as write failures)
// and are written when it is back; Decide and the other reads and writes
// fail UNAVAILABLE naming the database (its URL without the password).
//
//   PostgresReviewStore::Options options;
//   options.connection.url = config.review_database_url();
//   CM_ASSIGN_OR_RETURN(std::unique_ptr<ReviewStore> store,
//                       PostgresReviewStore::Create(options));
//
// Thread-safe. One mutex guards the connection (held for one statement or
// transaction); the record queue and the in-memory allowlist have their own.
#ifndef CLEARMATCH_REVIEW_POSTGRES_REVIEW_STORE_H_
#define CLEARMATCH_REVIEW_POSTGRES_REVIEW_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clearmatch/v1/review.pb.h"
#include "postgres/postgres_connection.h"
#include "review/allowlist_follower.h"
#include "review/postgres_allowlist.h"
#include "review/record_writer.h"
#include "review/sql_review_store.h"

namespace clearmatch {

class PostgresReviewStore final : public SqlReviewStore {
 public:
  struct Options {
    // URL, password file, timeout; the label defaults to "review store".
    PostgresConnection::Options connection;
    // Queue bounds: records beyond either are refused (and counted).
    size_t max_queued_records = 10000;
    size_t max_queued_bytes = 64 << 20;
    // Records written per transaction, at most.
    int max_batch = 256;
    // Backoff of the retries of a failed write (RecordWriter::Options).
    absl::Duration retry_initial = absl::Milliseconds(100);
    absl::Duration retry_max = absl::Seconds(30);
    // The fallback poll of the other replicas' allowlist changes.
    absl::Duration allowlist_poll_interval = absl::Seconds(5);
    // Warnings (refused records, write errors, a lost database); default:
    // none.
    std::function<void(absl::string_view)> log_warning;
  };

  // Connects, applies the migrations, loads the allowlist and starts the
  // writer and the allowlist follower. Errors: INVALID_ARGUMENT bad
  // options or URL; UNAVAILABLE the database cannot be reached;
  // FAILED_PRECONDITION a database newer than this binary.
  static absl::StatusOr<std::unique_ptr<PostgresReviewStore>> Create(
      Options options);
  ~PostgresReviewStore() override;  // Close()

  bool Enqueue(v1::MatchRecord record) override;
  void Flush() override;
  void Close() override;
  Stats stats() const override;

  bool IsAllowlisted(absl::string_view content_key, absl::string_view bank,
                     absl::string_view entry_id) const override;

  absl::StatusOr<v1::MatchRecord> Decide(
      const v1::DecideRequest& request) override;
  absl::Status RemoveAllowlistEntry(
      const v1::RemoveAllowlistEntryRequest& request) override;

  // How often the follower reloaded the allowlist (tests).
  int64_t allowlist_reloads() const { return follower_->reloads(); }

 private:
  PostgresReviewStore(const Options& options, PostgresConnection db);
  absl::Status WithDatabase(DatabaseCall call) override;
  absl::Status InDatabaseTransaction(DatabaseCall call) override;
  // Runs `update` on the connection in one transaction.
  absl::Status InTransaction(
      absl::FunctionRef<absl::Status(PostgresConnection&)> update);
  // One transaction: the writer thread's write function.
  absl::Status WriteRecords(std::vector<v1::MatchRecord>& batch);
  // The decision's transaction; true if the allowlist changed.
  absl::StatusOr<bool> DecideLocked(const v1::DecideRequest& request,
                                    int64_t now_micros)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);

  mutable absl::Mutex db_mu_;
  PostgresConnection db_ ABSL_GUARDED_BY(db_mu_);
  PostgresAllowlist allowlist_;
  std::unique_ptr<AllowlistFollower> follower_;  // set by Create
  RecordWriter writer_;  // last: its thread stops before the rest goes
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_POSTGRES_REVIEW_STORE_H_
