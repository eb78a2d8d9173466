// MatchPipeline: one Check from request to response, orchestrating the
// matching core: validates the request, fingerprints the media (or parses
// the caller's hashes) into a Query, takes the current index snapshot, finds
// the matches (Matcher), concludes (VerdictPolicy, with the reviewers'
// allowlist), counts metrics and records the verdict for review.
//
//   InProcessFingerprintBackend backend;   // or a SandboxedFingerprintBackend
//   options.backend = &backend;
//   MatchPipeline pipeline(options, policy, holder, metrics);
//   CM_RETURN_IF_ERROR(MatchPipeline::ValidateRequest(request, limit));
//   absl::StatusOr<v1::CheckResponse> r =
//       pipeline.Check(request, deadline, [&] { return ctx->IsCancelled(); });
//
// Media requests are slow (decode + hash): run them on the WorkerPool.
// Hash-only requests are a few microseconds of search.
// Thread-safe: Check keeps its state per call; the snapshot is taken once per
// request, so an index swap never changes a request half-way.
#ifndef CLEARMATCH_DAEMON_MATCH_PIPELINE_H_
#define CLEARMATCH_DAEMON_MATCH_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clearmatch/v1/matcher.pb.h"
#include "daemon/daemon_metrics.h"
#include "daemon/review_recorder.h"
#include "decoders/decode_limits.h"
#include "decoders/video_frame_sampler.h"
#include "fingerprint/fingerprint_backend.h"
#include "index/index_holder.h"
#include "matching/check_request_checks.h"
#include "matching/matcher.h"
#include "matching/query.h"
#include "matching/verdict_policy.h"

namespace clearmatch {

class MatchPipeline {
 public:
  // Longest content_id accepted (bytes).
  static constexpr size_t kMaxContentIdBytes = kMaxCheckContentIdBytes;

  struct Options {
    ImageDecodeLimits image_limits;
    VideoDecodeLimits video_limits;
    // Turns media into hashes (borrowed; must outlive the pipeline).
    // Required for media requests: without it they get FAILED_PRECONDITION.
    FingerprintBackend* backend = nullptr;
    // Test seam, empty in production: called on the worker before a
    // request's media is decoded (not for hash-only requests). Integration
    // tests hold a worker busy with it (DaemonServer's decode gate).
    std::function<void()> before_decode;
  };

  // Borrows `policy`, `holder` and `metrics`, which must outlive it.
  MatchPipeline(Options options, const VerdictPolicy& policy,
                const IndexHolder& holder, DaemonMetrics& metrics)
      : options_(options),
        policy_(policy),
        holder_(holder),
        metrics_(metrics),
        matcher_(policy) {}

  // Allowlist and review log hooks; none by default. Set before serving.
  void set_review_recorder(ReviewRecorder* reviewer) { reviewer_ = reviewer; }

  // Cheap syntax checks, done before any work is queued
  // (ValidateCheckRequest). INVALID_ARGUMENT naming the field: unknown
  // context, no payload or both, content_id too long, request over
  // `max_request_bytes`, malformed precomputed hashes.
  static absl::Status ValidateRequest(const v1::CheckRequest& request,
                                      uint64_t max_request_bytes);

  // The verdict. `deadline` bounds decoding; `cancelled` is polled between
  // stages (and by the backend while it waits). Errors: INVALID_ARGUMENT
  // (refused or malformed media, media over a limit), UNAVAILABLE (no index
  // loaded yet; no decoder available), DEADLINE_EXCEEDED, CANCELLED,
  // INTERNAL (e.g. a decoder crashed), FAILED_PRECONDITION (no backend).
  absl::StatusOr<v1::CheckResponse> Check(
      const v1::CheckRequest& request, absl::Time deadline,
      absl::FunctionRef<bool()> cancelled) const;

 private:
  // The Query of the request's media, whose hashes go into `response`.
  absl::StatusOr<Query> FingerprintMedia(const v1::CheckRequest& request,
                                         absl::Time deadline,
                                         absl::FunctionRef<bool()> cancelled,
                                         v1::CheckResponse& response) const;
  // Counts the verdict and fills `response` from `matches`.
  void Report(v1::Decision decision, std::vector<v1::Match> matches,
              v1::CheckResponse& response) const;

  const Options options_;
  const VerdictPolicy& policy_;
  const IndexHolder& holder_;
  DaemonMetrics& metrics_;
  const Matcher matcher_;
  ReviewRecorder* reviewer_ = nullptr;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_DAEMON_MATCH_PIPELINE_H_
