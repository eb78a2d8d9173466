// One Check: fingerprint or parse hashes, find matches, conclude, report.
#include "daemon/match_pipeline.h"

#include <memory>
#include <random>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "matching/check_request_checks.h"

namespace clearmatch {
namespace {

std::string NewRequestId() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return absl::StrFormat("%016x", rng());
}

absl::Status CheckAlive(absl::Time deadline,
                        absl::FunctionRef<bool()> cancelled) {
  if (cancelled()) return absl::CancelledError("the client cancelled");
  if (absl::Now() >= deadline) {
    return absl::DeadlineExceededError("the request deadline passed");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status MatchPipeline::ValidateRequest(const v1::CheckRequest& request,
                                            uint64_t max_request_bytes) {
  return ValidateCheckRequest(request, max_request_bytes);
}

absl::StatusOr<Query> MatchPipeline::FingerprintMedia(
    const v1::CheckRequest& request, absl::Time deadline,
    absl::FunctionRef<bool()> cancelled, v1::CheckResponse& response) const {
  if (options_.backend == nullptr) {
    return absl::FailedPreconditionError(
        "this pipeline has no fingerprint backend: it checks hashes only");
  }
  const absl::Time start = absl::Now();
  FingerprintBackend::Request backend_request;
  MediaFingerprinter::Options& fo = backend_request.options;
  fo.image_limits = options_.image_limits;
  fo.dihedral = policy_.WantsDihedral(request.options().dihedral());
  fo.trim = policy_.WantsTrim(request.options().trim());
  fo.video.limits = options_.video_limits;
  const std::string& media = request.media();
  backend_request.media = absl::MakeConstSpan(
      reinterpret_cast<const uint8_t*>(media.data()), media.size());
  backend_request.deadline = deadline;
  backend_request.cancelled = [&cancelled] { return cancelled(); };
  absl::StatusOr<MediaFingerprint> fp =
      options_.backend->Fingerprint(backend_request);
  metrics_.ObserveStageSeconds("decode_hash",
                               absl::ToDoubleSeconds(absl::Now() - start));
  if (!fp.ok()) {
    // Over-limit media is the caller's fault, not an overload: never
    // answer RESOURCE_EXHAUSTED (which clients retry) for it.
    if (absl::IsResourceExhausted(fp.status())) {
      return absl::InvalidArgumentError(
          absl::StrCat("media over a limit: ", fp.status().message()));
    }
    return fp.status();
  }
  response.set_media_format(std::string(MediaFormatName(fp->format)));
  Query query = Query::FromFingerprint(*fp, fo.dihedral);
  *response.mutable_hashes() = query.ToHashes();
  return query;
}

void MatchPipeline::Report(v1::Decision decision,
                           std::vector<v1::Match> matches,
                           v1::CheckResponse& response) const {
  for (v1::Match& match : matches) {
    metrics_.CountVerdict(match.bank(), match.decision(), match.shadow());
    *response.add_matches() = std::move(match);
  }
  response.set_decision(decision);
  metrics_.CountDecision(decision);
}

absl::StatusOr<v1::CheckResponse> MatchPipeline::Check(
    const v1::CheckRequest& request, absl::Time deadline,
    absl::FunctionRef<bool()> cancelled) const {
  v1::CheckResponse response;
  response.set_content_id(request.content_id());
  response.set_request_id(NewRequestId());
  Query query;
  if (!request.media().empty()) {
    if (options_.before_decode) options_.before_decode();
    CM_RETURN_IF_ERROR(CheckAlive(deadline, cancelled));
    CM_ASSIGN_OR_RETURN(
        query, FingerprintMedia(request, deadline, cancelled, response));
  } else {
    CM_ASSIGN_OR_RETURN(query, Query::FromHashes(request.hashes()));
  }
  CM_RETURN_IF_ERROR(CheckAlive(deadline, cancelled));

  const absl::Time search_start = absl::Now();
  std::shared_ptr<const IndexSnapshot> snapshot = holder_.Current();
  if (snapshot == nullptr) {
    return absl::UnavailableError(
        "no index loaded yet (the first feed sync has not finished)");
  }
  response.set_snapshot_version(snapshot->version());
  Matcher::Options match_options;
  match_options.context = request.context();
  match_options.dihedral = request.options().dihedral();
  match_options.trim = request.options().trim();
  CM_ASSIGN_OR_RETURN(std::vector<v1::Match> matches,
                      matcher_.FindMatches(*snapshot, query, match_options));
  // What the content was matched on (for the allowlist and the review log).
  const bool hashes_from_caller = request.media().empty();
  const v1::Hashes& content =
      hashes_from_caller ? request.hashes() : response.hashes();
  const v1::Decision decision =
      VerdictPolicy::Conclude(content, hashes_from_caller, reviewer_, matches);
  Report(decision, std::move(matches), response);
  metrics_.ObserveStageSeconds(
      "search", absl::ToDoubleSeconds(absl::Now() - search_start));
  if (reviewer_ != nullptr) {
    response.set_review_recording(
        reviewer_->Record(request, content, response));
  } else if (ReviewRecorder::NeedsReview(response)) {
    response.set_review_recording(v1::CheckResponse::NOT_RECORDED);
  }
  if (request.options().omit_hashes()) response.clear_hashes();
  return response;
}

}  // namespace clearmatch
