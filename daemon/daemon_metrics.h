// DaemonMetrics: the daemon's counters, gauges and latency histograms, and
// their Prometheus text exposition (served on /metrics). Every name starts
// with clearmatch_; docs/DAEMON.md lists them.
//
//   metrics.CountRequest("Check", absl::StatusCode::kOk);
//   metrics.ObserveRpcSeconds("Check", 0.0012);
//   std::string text = metrics.RenderPrometheus(absl::Now());
//
// Thread-safe: one mutex held only while a number is updated or copied.
#ifndef CLEARMATCH_DAEMON_DAEMON_METRICS_H_
#define CLEARMATCH_DAEMON_DAEMON_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clearmatch/v1/matcher.pb.h"

namespace clearmatch {

class DaemonMetrics {
 public:
  // Histogram upper bounds (seconds).
  static constexpr std::array<double, 14> kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
      0.025,  0.05,    0.1,    0.25,  0.5,    1,     5};

  void CountRequest(absl::string_view rpc, absl::StatusCode code);
  void ObserveRpcSeconds(absl::string_view rpc, double seconds);
  // stage: "decode_hash", "search".
  void ObserveStageSeconds(absl::string_view stage, double seconds);
  void CountVerdict(absl::string_view bank, v1::Decision decision, bool shadow);
  // The decision of a whole request.
  void CountDecision(v1::Decision decision);
  // reason: "overloaded", "invalid_argument", "too_large", "deadline",
  // "cancelled", "not_serving", "permission".
  void CountRejected(absl::string_view reason);
  void SetIndex(uint64_t version, int64_t size, int64_t delta_size,
                absl::Time loaded);
  void SetFeed(absl::string_view feed, uint64_t sequence,
               absl::Time manifest_created, absl::Time last_success,
               bool last_sync_ok);
  void SetWorkerLoad(int64_t load);

  // Prometheus text format 0.0.4.
  std::string RenderPrometheus(absl::Time now) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};  // not cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  struct FeedGauges {
    uint64_t sequence = 0;
    absl::Time manifest_created = absl::InfinitePast();
    absl::Time last_success = absl::InfinitePast();
    bool last_sync_ok = false;
  };
  static void RenderHistograms(std::string& out, absl::string_view name,
                               absl::string_view help,
                               const std::map<std::string, Histogram>& family);
  // Index and worker gauges; the per-feed gauges.
  void RenderIndexGauges(std::string& out, absl::Time now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RenderFeedGauges(std::string& out, absl::Time now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Observe(std::map<std::string, Histogram>& family,
               const std::string& labels, double seconds)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  // Keyed by the rendered label set, e.g. rpc="Check",code="OK".
  std::map<std::string, uint64_t> requests_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram> rpc_seconds_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram> stage_seconds_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> verdicts_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> decisions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> rejected_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, FeedGauges> feeds_ ABSL_GUARDED_BY(mu_);
  uint64_t index_version_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t index_size_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t index_delta_size_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time index_loaded_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t worker_load_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_DAEMON_METRICS_H_
