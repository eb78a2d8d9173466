// Allowlist filtering and verdict recording for review.
#include "daemon/review_recorder.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace clearmatch {

bool ReviewRecorder::Contains(const v1::Hashes& content,
                              bool hashes_from_caller,
                              const v1::Match& match) const {
  const std::string key =
      ReviewStore::AllowlistKey(content, hashes_from_caller, match);
  if (key.empty() ||
      !store_.IsAllowlisted(key, match.bank(), match.entry_id())) {
    return false;
  }
  ++allowlisted_;
  return true;
}

std::string ReviewRecorder::PolicyText(
    const v1::CheckResponse& response) const {
  std::set<std::string> banks;
  for (const v1::Match& match : response.matches()) banks.insert(match.bank());
  std::vector<std::string> parts;
  for (const std::string& bank : banks) {
    const BankPolicy& p = policy_.ForBank(bank);
    parts.push_back(absl::StrFormat(
        "%s: upload=%s rescan=%s auto<=%d review<=%d quality>=%d "
        "review_quality>=%d dihedral=%s vpdq=%g/%g segment>=%g shadow=%s",
        bank, v1::Decision_Name(p.upload_action),
        v1::Decision_Name(p.rescan_action), p.auto_distance, p.review_distance,
        p.min_quality, p.review_min_quality, p.dihedral ? "on" : "off",
        p.vpdq_query_pct, p.vpdq_target_pct, p.min_segment_seconds,
        p.shadow ? "on" : "off"));
  }
  return absl::StrJoin(parts, "; ");
}

bool ReviewRecorder::NeedsReview(const v1::CheckResponse& response) {
  const bool shadow =
      std::any_of(response.matches().begin(), response.matches().end(),
                  [](const v1::Match& m) { return m.shadow(); });
  return response.decision() != v1::ALLOW || shadow;
}

v1::CheckResponse::ReviewRecording ReviewRecorder::Record(
    const v1::CheckRequest& request, const v1::Hashes& query,
    const v1::CheckResponse& response) {
  if (!NeedsReview(response)) return v1::CheckResponse::NOT_NEEDED;
  v1::MatchRecord record;
  record.set_content_id(response.content_id());
  record.set_context(request.context());
  record.set_decision(response.decision());
  *record.mutable_matches() = response.matches();
  *record.mutable_query_hashes() = query;
  record.set_hashes_from_caller(request.media().empty());
  record.set_snapshot_version(response.snapshot_version());
  record.set_policy(PolicyText(response));
  record.set_request_id(response.request_id());
  return store_.Enqueue(std::move(record)) ? v1::CheckResponse::QUEUED
                                           : v1::CheckResponse::NOT_RECORDED;
}

std::string ReviewRecorder::RenderPrometheus() const {
  const ReviewStore::Stats stats = store_.stats();
  return absl::StrCat(
      "# HELP clearmatch_review_allowlisted_matches_total Matches suppressed "
      "by a reviewer's FALSE_POSITIVE.\n"
      "# TYPE clearmatch_review_allowlisted_matches_total counter\n"
      "clearmatch_review_allowlisted_matches_total ",
      allowlisted_.load(), "\n",
      "# HELP clearmatch_review_records_total Verdict records for review, by "
      "what became of them (not_recorded: refused, the response said so; "
      "lost: still unwritten when the daemon stopped).\n"
      "# TYPE clearmatch_review_records_total counter\n"
      "clearmatch_review_records_total{result=\"recorded\"} ",
      stats.recorded,
      "\nclearmatch_review_records_total{result=\"not_recorded\"} ",
      stats.not_recorded, "\nclearmatch_review_records_total{result=\"lost\"} ",
      stats.lost, "\n",
      "# HELP clearmatch_review_write_failures_total Failed writes of verdict "
      "records (the records stay queued and are retried).\n"
      "# TYPE clearmatch_review_write_failures_total counter\n"
      "clearmatch_review_write_failures_total ",
      stats.write_failures, "\n",
      "# HELP clearmatch_review_queue_records Verdict records waiting to be "
      "written (or being written).\n"
      "# TYPE clearmatch_review_queue_records gauge\n"
      "clearmatch_review_queue_records ",
      stats.queued, "\n");
}

}  // namespace clearmatch
