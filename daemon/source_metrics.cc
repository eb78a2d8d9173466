// Per-source gauges and feedback counters in Prometheus text.
#include "daemon/source_metrics.h"

#include "absl/strings/str_cat.h"
#include "daemon/prometheus_text.h"

namespace clearmatch {
namespace {

std::string SourceLabels(const SourceStatus& source) {
  return absl::StrCat(PrometheusLabel("source", source.name), ",",
                      PrometheusLabel("kind", SourceKindName(source.kind)));
}

}  // namespace

absl::string_view SourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kSignedFeed:
      return "signed_feed";
    case SourceKind::kBankCsv:
      return "bank_csv";
    case SourceKind::kNcmec:
      return "ncmec";
    case SourceKind::kStopNcii:
      return "stopncii";
  }
  return "unknown";
}

void SourceMetrics::Set(const SourceStatus& source) {
  if (source.kind == SourceKind::kBankCsv) return;
  absl::MutexLock lock(&mu_);
  sources_[source.name] = source;
}

void SourceMetrics::SetFeedback(absl::string_view bank,
                                const FeedbackCounts& counts) {
  absl::MutexLock lock(&mu_);
  feedback_[std::string(bank)] = counts;
}

void SourceMetrics::RenderSources(std::string& out, absl::Time now) const {
  PrometheusHeader(out, "clearmatch_source_entries", "gauge",
                   "Entries each source holds, by hash type.");
  for (const auto& [name, source] : sources_) {
    for (const auto& [type, count] : source.state.entries_by_type) {
      absl::StrAppend(&out, "clearmatch_source_entries{", SourceLabels(source),
                      ",", PrometheusLabel("type", type), "} ", count, "\n");
    }
  }
  PrometheusHeader(out, "clearmatch_source_skipped_total", "counter",
                   "Records a source fetched and did not turn into entries, "
                   "by reason.");
  for (const auto& [name, source] : sources_) {
    for (const auto& [reason, count] : source.state.skipped) {
      absl::StrAppend(&out, "clearmatch_source_skipped_total{",
                      SourceLabels(source), ",",
                      PrometheusLabel("reason", reason), "} ", count, "\n");
    }
  }
  PrometheusHeader(out, "clearmatch_source_last_success_timestamp_seconds",
                   "gauge",
                   "Unix time of the last successful sync (0: never).");
  PrometheusHeader(out, "clearmatch_source_lag_seconds", "gauge",
                   "Age of the newest data a source holds (-1: none).");
  PrometheusHeader(out, "clearmatch_source_last_sync_ok", "gauge",
                   "1 if the last sync of the source succeeded.");
  for (const auto& [name, source] : sources_) {
    const std::string labels = SourceLabels(source);
    const int64_t success = source.last_success == absl::InfinitePast()
                                ? 0
                                : absl::ToUnixSeconds(source.last_success);
    absl::StrAppend(&out, "clearmatch_source_last_success_timestamp_seconds{",
                    labels, "} ", success, "\nclearmatch_source_lag_seconds{",
                    labels, "} ",
                    SecondsSinceOrMinusOne(source.state.published, now),
                    "\nclearmatch_source_last_sync_ok{", labels, "} ",
                    source.last_result == SyncOutcome::kOk ? 1 : 0, "\n");
  }
}

void SourceMetrics::RenderFeedback(std::string& out) const {
  PrometheusHeader(out, "clearmatch_feedback_total", "counter",
                   "Reviewers' verdicts sent back to a clearinghouse since "
                   "start-up, by bank and outcome (sent, retried, rejected).");
  for (const auto& [bank, counts] : feedback_) {
    const std::string label = PrometheusLabel("bank", bank);
    absl::StrAppend(&out, "clearmatch_feedback_total{", label,
                    ",outcome=\"sent\"} ", counts.sent, "\n",
                    "clearmatch_feedback_total{", label,
                    ",outcome=\"retried\"} ", counts.retried, "\n",
                    "clearmatch_feedback_total{", label,
                    ",outcome=\"rejected\"} ", counts.rejected, "\n");
  }
  PrometheusHeader(out, "clearmatch_feedback_pending", "gauge",
                   "Verdicts waiting in the outbox for a clearinghouse.");
  for (const auto& [bank, counts] : feedback_) {
    absl::StrAppend(&out, "clearmatch_feedback_pending{",
                    PrometheusLabel("bank", bank), "} ", counts.pending, "\n");
  }
}

std::string SourceMetrics::Render(absl::Time now) const {
  std::string out;
  absl::MutexLock lock(&mu_);
  RenderSources(out, now);
  RenderFeedback(out);
  return out;
}

}  // namespace clearmatch
