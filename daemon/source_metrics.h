// SourceMetrics: the per-source gauges of every synced IndexSource (signed
// feeds and clearinghouses) and the clearinghouse feedback counters, in
// Prometheus text (appended to /metrics). docs/DAEMON.md lists them.
//
//   metrics.Set(source_status);            // after each sync of a source
//   metrics.SetFeedback(bank, counters);   // from the feedback dispatcher
//   std::string text = metrics.Render(absl::Now());
//
// Thread-safe: one mutex held only while a value is stored or rendered.
#ifndef CLEARMATCH_DAEMON_SOURCE_METRICS_H_
#define CLEARMATCH_DAEMON_SOURCE_METRICS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "serving/serving_status.h"

namespace clearmatch {

// Feedback sent to one clearinghouse since start-up, and what waits.
struct FeedbackCounts {
  uint64_t sent = 0;
  uint64_t retried = 0;
  uint64_t rejected = 0;
  int64_t pending = 0;
};

class SourceMetrics {
 public:
  // Keeps the latest status of `source` (bank CSVs are ignored).
  void Set(const SourceStatus& source);
  void SetFeedback(absl::string_view bank, const FeedbackCounts& counts);

  // clearmatch_source_* and clearmatch_feedback_* families.
  std::string Render(absl::Time now) const;

 private:
  void RenderSources(std::string& out, absl::Time now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RenderFeedback(std::string& out) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, SourceStatus> sources_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, FeedbackCounts> feedback_ ABSL_GUARDED_BY(mu_);
};

// "signed_feed", "bank_csv", "ncmec", "stopncii".
absl::string_view SourceKindName(SourceKind kind);

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_SOURCE_METRICS_H_
