// SqliteReviewStore: the ReviewStore (review/review_store.h) in one SQLite
// file in WAL mode (review/sqlite_review_schema.h). Decisions and allowlist
// changes are durable (synchronous=FULL) when the call returns; verdict
// records go through a RecordWriter (review/record_writer.h), one
// transaction per batch. The calls that both stores answer the same way are
// SqlReviewStore's (review/sql_review_store.h), on this store's connection;
// the allowlist is an AllowlistSet filled from its table
// (review/allowlist_table.h).
//
//   SqliteReviewStore::Options options;
//   options.path = data_dir + "/review.sqlite";
//   CM_ASSIGN_OR_RETURN(std::unique_ptr<ReviewStore> store,
//                       SqliteReviewStore::Create(options));
//
// Thread-safe. One mutex guards the connection (held for one statement or
// transaction); the record queue and the in-memory allowlist have their own
// (never held across I/O).
#ifndef CLEARMATCH_REVIEW_SQLITE_REVIEW_STORE_H_
#define CLEARMATCH_REVIEW_SQLITE_REVIEW_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clearmatch/v1/review.pb.h"
#include "review/allowlist_set.h"
#include "review/record_writer.h"
#include "review/sql_review_store.h"
#include "sqlite/sqlite_connection.h"

namespace clearmatch {

class SqliteReviewStore final : public SqlReviewStore {
 public:
  struct Options {
    std::string path;  // created if missing
    // Queue bounds: records beyond either are refused (and counted).
    size_t max_queued_records = 10000;
    size_t max_queued_bytes = 64 << 20;
    // Records written per transaction, at most.
    int max_batch = 256;
    // Backoff of the retries of a failed write (RecordWriter::Options).
    absl::Duration retry_initial = absl::Milliseconds(100);
    absl::Duration retry_max = absl::Seconds(30);
    // Upper bound on the file size in SQLite pages (4 KiB); 0 = none.
    // Writes beyond it fail as a full disk does.
    int64_t max_page_count = 0;
    // Warnings (refused records, write errors); default: none.
    std::function<void(absl::string_view)> log_warning;
  };

  // Opens or creates the file and its schema, loads the allowlist and
  // starts the writer thread. Errors: INVALID_ARGUMENT bad options;
  // FAILED_PRECONDITION cannot open or an unknown schema version; DATA_LOSS
  // not a database.
  static absl::StatusOr<std::unique_ptr<SqliteReviewStore>> Create(
      Options options);
  ~SqliteReviewStore() override;  // Close()

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

 private:
  SqliteReviewStore(const Options& options, SqliteConnection db);
  absl::Status WithDatabase(DatabaseCall call) override;
  absl::Status InDatabaseTransaction(DatabaseCall call) override;
  // One transaction: the writer thread's write function.
  absl::Status WriteRecords(std::vector<v1::MatchRecord>& batch);
  // Replaces the allowlist's set with its table's rows (after a commit
  // that changed them, so that it never holds what a rollback undid).
  absl::Status LoadAllowlistLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);

  mutable absl::Mutex db_mu_;
  SqliteConnection db_ ABSL_GUARDED_BY(db_mu_);
  AllowlistSet allowlist_;
  RecordWriter writer_;  // last: its thread stops before the rest goes
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_SQLITE_REVIEW_STORE_H_
