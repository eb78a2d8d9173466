// ReviewStore: the review module's SQLite database (one file, WAL): the log
// of recorded verdicts, reviewers' decisions, the allowlist of
// (content hash, entry) pairs that a FALSE_POSITIVE suppresses, the outbox of
// disputed entries for the clearinghouse, and the hash-chained audit trail
// (review/audit_chain.h). Never stores media.
//
//   ReviewStore::Options options;
//   options.path = data_dir + "/review.sqlite";
//   CM_ASSIGN_OR_RETURN(std::unique_ptr<ReviewStore> store,
//                       ReviewStore::Create(options));
//   store->Enqueue(record);            // request path: never blocks on disk
//   store->IsAllowlisted(keys, bank, entry_id);
//   CM_ASSIGN_OR_RETURN(v1::MatchRecord r, store->Decide(decision_request));
//
// Recording is asynchronous: Enqueue puts the record on a bounded queue that
// a writer thread writes in batches (one transaction each). A full queue
// drops the record (counted in stats().dropped); a failed write (full disk)
// is counted in stats().write_errors; neither fails the caller. Close (or
// the destructor) writes everything queued before returning. Decisions and
// allowlist changes are synchronous and durable (synchronous=FULL) when
// Decide / RemoveAllowlistEntry return.
//
// Thread-safe. One mutex guards the connection (held for one statement or
// transaction), one the queue (never held across I/O), one the in-memory
// allowlist (read-mostly).
#ifndef CLEARMATCH_REVIEW_REVIEW_STORE_H_
#define CLEARMATCH_REVIEW_REVIEW_STORE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "clearmatch/v1/review.pb.h"
#include "review/sqlite_connection.h"

namespace clearmatch {

// An entry a reviewer disputed, waiting for a feed adapter to report it.
struct DisputedEntry {
  int64_t id = 0;
  std::string bank;
  std::string entry_id;
  std::string source_feed;
  std::string hash_type;
  int64_t match_id = 0;
  std::string note;
  int64_t created_unix_micros = 0;
};

class ReviewStore {
 public:
  struct Options {
    std::string path;  // created if missing
    // Queue bounds: records beyond either are dropped (and counted).
    size_t max_queued_records = 10000;
    size_t max_queued_bytes = 64 << 20;
    // Records written per transaction, at most.
    int max_batch = 256;
    // Upper bound on the file size in SQLite pages (4 KiB); 0 = none.
    // Writes beyond it fail as a full disk does.
    int64_t max_page_count = 0;
    // Warnings (dropped records, write errors); default: none.
    std::function<void(absl::string_view)> log_warning;
  };

  // Counters since Create.
  struct Stats {
    int64_t recorded = 0;      // written to the file
    int64_t dropped = 0;       // queue full
    int64_t write_errors = 0;  // records lost to a failed write
    int64_t queued = 0;        // waiting now
  };

  // Most results per page.
  static constexpr int kMaxPageSize = 1000;
  static constexpr int kDefaultPageSize = 50;
  // Longest reviewer id and note (bytes).
  static constexpr size_t kMaxReviewerBytes = 256;
  static constexpr size_t kMaxNoteBytes = 4096;

  // Opens or creates the file and its schema and starts the writer thread.
  // Errors: INVALID_ARGUMENT bad options; FAILED_PRECONDITION cannot open or
  // an unknown schema version; DATA_LOSS not a database.
  static absl::StatusOr<std::unique_ptr<ReviewStore>> Create(Options options);
  ~ReviewStore();  // Close()
  ReviewStore(const ReviewStore&) = delete;
  ReviewStore& operator=(const ReviewStore&) = delete;

  // Queues `record` (match_id is assigned when written; a zero
  // recorded_unix_micros becomes now). Never blocks on I/O, never fails.
  void Enqueue(v1::MatchRecord record);
  // Waits until everything enqueued before the call is written (or failed).
  void Flush();
  // Writes what is queued and stops the writer. Later Enqueues are dropped.
  void Close();
  Stats stats() const;

  // The keys a record's content is known by ("sha256:<hex>", "md5:<hex>",
  // "sha1:<hex>", "pdq:<hex>" of the untransformed PDQ hash).
  static std::vector<std::string> ContentKeys(const v1::Hashes& hashes);
  // Whether a FALSE_POSITIVE put (any of `content_keys`, bank/entry) on the
  // allowlist. In memory; cheap.
  bool IsAllowlisted(const std::vector<std::string>& content_keys,
                     absl::string_view bank, absl::string_view entry_id) const;

  // Newest first. INVALID_ARGUMENT for a bad page size, page token (also a
  // token from a listing with other filters) or time range.
  absl::StatusOr<v1::ListMatchesResponse> ListMatches(
      const v1::ListMatchesRequest& request);
  // NOT_FOUND for an unknown id.
  absl::StatusOr<v1::MatchRecord> GetMatch(int64_t match_id);
  // Records a decision (reviewer required) and, for FALSE_POSITIVE, the
  // allowlist pairs and disputed entries; overriding a FALSE_POSITIVE takes
  // its pairs off the allowlist. Returns the updated record. Errors:
  // INVALID_ARGUMENT (outcome, reviewer, note), NOT_FOUND (match),
  // FAILED_PRECONDITION (decided already and no override), the write's.
  absl::StatusOr<v1::MatchRecord> Decide(const v1::DecideRequest& request);
  // Matches whose latest decision is CONFIRMED, newest first.
  absl::StatusOr<v1::ExportConfirmedResponse> ExportConfirmed(
      const v1::ExportConfirmedRequest& request);

  // Oldest first.
  absl::StatusOr<v1::ListAllowlistResponse> ListAllowlist(
      const v1::ListAllowlistRequest& request);
  // NOT_FOUND if the pair is not on the allowlist; INVALID_ARGUMENT without
  // a reviewer.
  absl::Status RemoveAllowlistEntry(
      const v1::RemoveAllowlistEntryRequest& request);

  // The outbox of disputed entries not yet sent, oldest first.
  absl::StatusOr<std::vector<DisputedEntry>> PendingDisputes(int limit);
  absl::Status MarkDisputesSent(const std::vector<int64_t>& ids);

 private:
  struct Queued {
    v1::MatchRecord record;
    size_t bytes;
  };

  ReviewStore(Options options, review_internal::SqliteConnection db);
  void WriterLoop();
  absl::Status WriteBatch(std::vector<Queued>& batch);
  absl::StatusOr<v1::MatchRecord> GetLocked(int64_t match_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  absl::Status AppendAuditLocked(absl::string_view kind,
                                 absl::string_view content, int64_t at_micros,
                                 int64_t* seq)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  absl::Status LoadAllowlistLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  void Warn(absl::string_view message) const;

  const Options options_;

  mutable absl::Mutex db_mu_;
  review_internal::SqliteConnection db_ ABSL_GUARDED_BY(db_mu_);

  mutable absl::Mutex queue_mu_;
  absl::CondVar queue_cv_;  // signalled on enqueue and on progress
  std::deque<Queued> queue_ ABSL_GUARDED_BY(queue_mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(queue_mu_) = 0;
  int64_t enqueued_ ABSL_GUARDED_BY(queue_mu_) = 0;   // accepted, ever
  int64_t processed_ ABSL_GUARDED_BY(queue_mu_) = 0;  // written or failed
  bool closing_ ABSL_GUARDED_BY(queue_mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(queue_mu_);
  std::thread writer_;

  mutable absl::Mutex allow_mu_;
  // content_key + '\0' + bank + '\0' + entry_id.
  absl::flat_hash_set<std::string> allowlist_ ABSL_GUARDED_BY(allow_mu_);
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_REVIEW_STORE_H_
