// ReviewRecorder: the review module's hooks in the match pipeline. Before
// the decision is made it is the VerdictPolicy's Allowlist: the matches a
// reviewer marked FALSE_POSITIVE for this content; after, it queues every
// verdict other than ALLOW, and every verdict with shadow-mode matches, on
// the ReviewStore (never blocking the request on disk).
//
//   ReviewRecorder recorder(store, policy);
//   VerdictPolicy::Conclude(query_hashes, from_caller, &recorder, matches);
//   response.set_review_recording(
//       recorder.Record(request, query_hashes, response));
//
// Thread-safe; borrows the store and the policy, which must outlive it.
#ifndef CLEARMATCH_DAEMON_REVIEW_RECORDER_H_
#define CLEARMATCH_DAEMON_REVIEW_RECORDER_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "clearmatch/v1/matcher.pb.h"
#include "matching/allowlist.h"
#include "matching/verdict_policy.h"
#include "review/review_store.h"

namespace clearmatch {

class ReviewRecorder : public Allowlist {
 public:
  ReviewRecorder(ReviewStore& store, const VerdictPolicy& policy)
      : store_(store), policy_(policy) {}

  // Whether a reviewer allowlisted `match`'s entry for this content.
  bool Contains(const v1::Hashes& content, bool hashes_from_caller,
                const v1::Match& match) const override;
  // Queues the verdict when it needs review (see the file comment):
  // NOT_NEEDED when it does not, QUEUED when the store took it,
  // NOT_RECORDED when it refused it (queue full, or closed).
  v1::CheckResponse::ReviewRecording Record(const v1::CheckRequest& request,
                                            const v1::Hashes& query,
                                            const v1::CheckResponse& response);
  // Whether `response`'s verdict goes to review.
  static bool NeedsReview(const v1::CheckResponse& response);

  // clearmatch_review_* metrics in the Prometheus text format.
  std::string RenderPrometheus() const;

 private:
  // The resolved policy of every bank in `response`'s matches.
  std::string PolicyText(const v1::CheckResponse& response) const;

  ReviewStore& store_;
  const VerdictPolicy& policy_;
  mutable std::atomic<int64_t> allowlisted_{0};
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_REVIEW_RECORDER_H_
