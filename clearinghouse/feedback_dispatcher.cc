// FeedbackDispatcher: rounds over the outbox, batches per bank, backoff.
#include "clearinghouse/feedback_dispatcher.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

FeedbackItem ItemOf(const v1::FeedbackRow& row) {
  FeedbackItem item;
  item.id = row.id();
  item.bank = row.bank();
  item.entry_id = row.entry_id();
  item.hash_type = row.hash_type();
  item.verdict = row.verdict() == v1::FALSE_POSITIVE
                     ? FeedbackVerdict::kFalsePositive
                     : FeedbackVerdict::kConfirmed;
  item.match_id = row.match_id();
  return item;
}

}  // namespace

FeedbackDispatcher::FeedbackDispatcher(
    ReviewStore& store, std::vector<std::unique_ptr<FeedbackSink>> sinks,
    Options options)
    : store_(store), options_(std::move(options)) {
  absl::MutexLock lock(&run_mu_);
  for (std::unique_ptr<FeedbackSink>& sink : sinks) {
    if (sink == nullptr || lanes_.count(sink->bank()) > 0) continue;
    const std::string bank = sink->bank();
    lanes_[bank].sink = std::move(sink);
    absl::MutexLock counters_lock(&mu_);
    counters_.banks[bank];
  }
}

FeedbackDispatcher::~FeedbackDispatcher() { Stop(); }

void FeedbackDispatcher::Start() {
  absl::MutexLock lock(&mu_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void FeedbackDispatcher::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

void FeedbackDispatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool FeedbackDispatcher::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

FeedbackDispatcher::Counters FeedbackDispatcher::counters() const {
  absl::MutexLock lock(&mu_);
  return counters_;
}

void FeedbackDispatcher::Loop() {
  while (true) {
    const absl::Status status = RunOnce();
    if (!status.ok()) {
      LogWarning(absl::StrCat("feedback: round failed: ", status.ToString()));
    }
    absl::MutexLock lock(&mu_);
    auto woken_or_stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return woken_ || stopping_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&woken_or_stopping),
                         options_.poll_interval);
    if (stopping_) return;
    woken_ = false;
  }
}

absl::Duration FeedbackDispatcher::Backoff(int attempts) const {
  absl::Duration wait = options_.initial_backoff;
  for (int i = 1; i < attempts && wait < options_.max_backoff; ++i) wait *= 2;
  return std::min(wait, options_.max_backoff);
}

absl::Status FeedbackDispatcher::RunOnce() {
  absl::MutexLock lock(&run_mu_);
  absl::Status status = RunOnceLocked();
  if (status.ok()) status = RefreshPending();
  if (!status.ok()) {
    absl::MutexLock counters_lock(&mu_);
    ++counters_.store_errors;
  }
  return status;
}

absl::Status FeedbackDispatcher::RunOnceLocked() {
  const absl::Time now = options_.now ? options_.now() : absl::Now();
  std::vector<std::string> backing_off;
  for (const auto& [bank, lane] : lanes_) {
    if (lane.backoff_until > now) backing_off.push_back(bank);
  }
  CM_ASSIGN_OR_RETURN(
      const std::vector<v1::FeedbackRow> due,
      store_.DueFeedback(now, std::max(options_.batch_limit, 1), backing_off));
  std::map<std::string, std::vector<v1::FeedbackRow>> by_bank;
  std::vector<int64_t> not_applicable;
  for (const v1::FeedbackRow& row : due) {
    if (lanes_.count(row.bank()) == 0) {
      not_applicable.push_back(row.id());
    } else {
      by_bank[row.bank()].push_back(row);
    }
  }
  if (!not_applicable.empty()) {
    CM_RETURN_IF_ERROR(store_.MarkFeedbackNotApplicable(not_applicable));
    absl::MutexLock lock(&mu_);
    counters_.not_applicable += not_applicable.size();
  }
  for (const auto& [bank, rows] : by_bank) {
    if (stopping()) break;
    CM_RETURN_IF_ERROR(SendBank(lanes_.at(bank), rows));
  }
  return absl::OkStatus();
}

absl::Status FeedbackDispatcher::SendBank(
    Lane& lane, const std::vector<v1::FeedbackRow>& rows) {
  const std::string& bank = lane.sink->bank();
  const size_t max_batch = std::max<size_t>(lane.sink->max_batch(), 1);
  for (size_t start = 0; start < rows.size(); start += max_batch) {
    if (stopping()) return absl::OkStatus();
    const std::vector<v1::FeedbackRow> batch(
        rows.begin() + start,
        rows.begin() + std::min(rows.size(), start + max_batch));
    std::vector<FeedbackItem> items;
    for (const v1::FeedbackRow& row : batch) items.push_back(ItemOf(row));
    const std::vector<FeedbackResult> results = lane.sink->Send(items);
    CM_ASSIGN_OR_RETURN(const bool retry, ApplyResults(bank, batch, results));
    const absl::Time now = options_.now ? options_.now() : absl::Now();
    if (retry) {
      ++lane.failures;
      lane.backoff_until = now + Backoff(lane.failures);
      if (lane.failures == 1) {
        LogWarning(absl::StrCat("feedback: ", bank, " failing; backing off ",
                                absl::FormatDuration(Backoff(1))));
      }
      return absl::OkStatus();
    }
    if (lane.failures > 0) {
      LogInfo(absl::StrCat("feedback: ", bank, " recovered after ",
                           lane.failures, " failed rounds"));
    }
    lane.failures = 0;
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> FeedbackDispatcher::ApplyResults(
    const std::string& bank, const std::vector<v1::FeedbackRow>& batch,
    const std::vector<FeedbackResult>& results) {
  const absl::Time now = options_.now ? options_.now() : absl::Now();
  std::vector<int64_t> sent;
  BankCounters delta;
  for (size_t i = 0; i < batch.size(); ++i) {
    const v1::FeedbackRow& row = batch[i];
    FeedbackResult result;
    if (results.size() != batch.size()) {  // a broken sink: try again
      result.outcome = FeedbackOutcome::kRetry;
      result.status = absl::InternalError(
          absl::StrCat("the ", bank, " sink returned ", results.size(),
                       " results for ", batch.size(), " items"));
    } else {
      result = results[i];
    }
    switch (result.outcome) {
      case FeedbackOutcome::kSent:
        sent.push_back(row.id());
        ++delta.sent;
        break;
      case FeedbackOutcome::kRetry:
        CM_RETURN_IF_ERROR(store_.RetryFeedbackLater(
            row.id(), now + Backoff(row.attempts() + 1),
            result.status.ToString()));
        ++delta.retried;
        break;
      case FeedbackOutcome::kRejected:
        LogWarning(absl::StrCat("feedback: ", bank, " rejected outbox row ",
                                row.id(), ": ", result.status.ToString()));
        CM_RETURN_IF_ERROR(
            store_.MarkFeedbackRejected(row.id(), result.status.ToString()));
        ++delta.rejected;
        break;
    }
  }
  if (!sent.empty()) CM_RETURN_IF_ERROR(store_.MarkFeedbackSent(sent));
  absl::MutexLock lock(&mu_);
  BankCounters& counters = counters_.banks[bank];
  counters.sent += delta.sent;
  counters.retried += delta.retried;
  counters.rejected += delta.rejected;
  return delta.retried > 0;
}

absl::Status FeedbackDispatcher::RefreshPending() {
  CM_ASSIGN_OR_RETURN(const std::vector<v1::FeedbackCount> pending,
                      store_.CountFeedback(v1::FEEDBACK_PENDING));
  absl::MutexLock lock(&mu_);
  for (auto& [bank, counters] : counters_.banks) counters.pending = 0;
  for (const v1::FeedbackCount& count : pending) {
    auto it = counters_.banks.find(count.bank());
    if (it != counters_.banks.end()) it->second.pending = count.count();
  }
  return absl::OkStatus();
}

}  // namespace clearmatch
