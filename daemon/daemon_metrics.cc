// Prometheus text exposition of the daemon's metrics.
#include "daemon/daemon_metrics.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "daemon/prometheus_text.h"

namespace clearmatch {

void DaemonMetrics::CountRequest(absl::string_view rpc, absl::StatusCode code) {
  const std::string labels =
      absl::StrCat(PrometheusLabel("rpc", rpc), ",",
                   PrometheusLabel("code", absl::StatusCodeToString(code)));
  absl::MutexLock lock(&mu_);
  ++requests_[labels];
}

void DaemonMetrics::Observe(std::map<std::string, Histogram>& family,
                            const std::string& labels, double seconds) {
  Histogram& h = family[labels];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++h.counts[i];
      break;
    }
  }
  ++h.count;
  h.sum += seconds;
}

void DaemonMetrics::ObserveRpcSeconds(absl::string_view rpc, double seconds) {
  const std::string labels = PrometheusLabel("rpc", rpc);
  absl::MutexLock lock(&mu_);
  Observe(rpc_seconds_, labels, seconds);
}

void DaemonMetrics::ObserveStageSeconds(absl::string_view stage,
                                        double seconds) {
  const std::string labels = PrometheusLabel("stage", stage);
  absl::MutexLock lock(&mu_);
  Observe(stage_seconds_, labels, seconds);
}

void DaemonMetrics::CountVerdict(absl::string_view bank, v1::Decision decision,
                                 bool shadow) {
  const std::string labels =
      absl::StrCat(PrometheusLabel("bank", bank), ",",
                   PrometheusLabel("decision", v1::Decision_Name(decision)),
                   ",", PrometheusLabel("shadow", shadow ? "true" : "false"));
  absl::MutexLock lock(&mu_);
  ++verdicts_[labels];
}

void DaemonMetrics::CountDecision(v1::Decision decision) {
  const std::string labels =
      PrometheusLabel("decision", v1::Decision_Name(decision));
  absl::MutexLock lock(&mu_);
  ++decisions_[labels];
}

void DaemonMetrics::CountRejected(absl::string_view reason) {
  const std::string labels = PrometheusLabel("reason", reason);
  absl::MutexLock lock(&mu_);
  ++rejected_[labels];
}

void DaemonMetrics::SetIndex(uint64_t version, int64_t size, int64_t delta_size,
                             absl::Time loaded) {
  absl::MutexLock lock(&mu_);
  index_version_ = version;
  index_size_ = size;
  index_delta_size_ = delta_size;
  index_loaded_ = loaded;
}

void DaemonMetrics::SetFeed(absl::string_view feed, uint64_t sequence,
                            absl::Time manifest_created,
                            absl::Time last_success, bool last_sync_ok) {
  absl::MutexLock lock(&mu_);
  feeds_[PrometheusLabel("feed", feed)] = {sequence, manifest_created,
                                           last_success, last_sync_ok};
}

void DaemonMetrics::SetWorkerLoad(int64_t load) {
  absl::MutexLock lock(&mu_);
  worker_load_ = load;
}

void DaemonMetrics::RenderHistograms(
    std::string& out, absl::string_view name, absl::string_view help,
    const std::map<std::string, Histogram>& family) {
  PrometheusHeader(out, name, "histogram", help);
  for (const auto& [labels, h] : family) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      absl::StrAppend(&out, name, "_bucket{", labels, ",le=\"",
                      PrometheusNumber(kBuckets[i]), "\"} ", cumulative, "\n");
    }
    absl::StrAppend(&out, name, "_bucket{", labels, ",le=\"+Inf\"} ", h.count,
                    "\n", name, "_sum{", labels, "} ", PrometheusNumber(h.sum),
                    "\n", name, "_count{", labels, "} ", h.count, "\n");
  }
}

void DaemonMetrics::RenderIndexGauges(std::string& out, absl::Time now) const {
  PrometheusGauge(out, "clearmatch_index_version",
                  "Feed sequence the served index reflects.",
                  absl::StrCat(index_version_));
  PrometheusGauge(out, "clearmatch_index_entries", "Live index entries.",
                  absl::StrCat(index_size_));
  PrometheusGauge(out, "clearmatch_index_delta_entries",
                  "Index entries not yet compacted into the main layer.",
                  absl::StrCat(index_delta_size_));
  PrometheusGauge(out, "clearmatch_index_age_seconds",
                  "Seconds since the served index was swapped in (-1: none).",
                  SecondsSinceOrMinusOne(index_loaded_, now));
  PrometheusGauge(out, "clearmatch_worker_load",
                  "Decode/hash tasks running or queued.",
                  absl::StrCat(worker_load_));
}

void DaemonMetrics::RenderFeedGauges(std::string& out, absl::Time now) const {
  PrometheusHeader(out, "clearmatch_feed_sequence", "gauge",
                   "Last applied sequence of each feed.");
  for (const auto& [labels, feed] : feeds_) {
    absl::StrAppend(&out, "clearmatch_feed_sequence{", labels, "} ",
                    feed.sequence, "\n");
  }
  PrometheusHeader(
      out, "clearmatch_feed_lag_seconds", "gauge",
      "Age of the newest applied manifest of each feed (-1: never).");
  for (const auto& [labels, feed] : feeds_) {
    absl::StrAppend(&out, "clearmatch_feed_lag_seconds{", labels, "} ",
                    SecondsSinceOrMinusOne(feed.manifest_created, now), "\n");
  }
  PrometheusHeader(out, "clearmatch_feed_last_sync_ok", "gauge",
                   "1 if the last sync of the feed succeeded.");
  for (const auto& [labels, feed] : feeds_) {
    absl::StrAppend(&out, "clearmatch_feed_last_sync_ok{", labels, "} ",
                    feed.last_sync_ok ? 1 : 0, "\n");
  }
}

std::string DaemonMetrics::RenderPrometheus(absl::Time now) const {
  std::string out;
  absl::MutexLock lock(&mu_);
  PrometheusCounters(out, "clearmatch_requests_total",
                     "RPCs finished, by method and status code.", requests_);
  RenderHistograms(out, "clearmatch_request_duration_seconds",
                   "Time from the start of an RPC to its status, by method.",
                   rpc_seconds_);
  RenderHistograms(
      out, "clearmatch_stage_duration_seconds",
      "Time spent per request in each stage (decode_hash, search).",
      stage_seconds_);
  PrometheusCounters(
      out, "clearmatch_match_verdicts_total",
      "Matches reported, by bank, the decision they call for, and "
      "whether the bank is in shadow mode.",
      verdicts_);
  PrometheusCounters(out, "clearmatch_decisions_total",
                     "Requests answered, by overall decision.", decisions_);
  PrometheusCounters(out, "clearmatch_rejected_requests_total",
                     "Requests refused before matching, by reason.", rejected_);
  RenderIndexGauges(out, now);
  RenderFeedGauges(out, now);
  return out;
}

}  // namespace clearmatch
