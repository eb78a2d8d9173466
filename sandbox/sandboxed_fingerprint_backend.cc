#include "sandbox/sandboxed_fingerprint_backend.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "decoders/media_sniffer.h"
#include "sandbox/decoder_wire_codec.h"

namespace clearmatch::sandbox {
namespace {

// Past its CPU budget the decoder gets SIGXCPU; the daemon's own timer
// (for a decoder that waits rather than computes, or a loaded machine)
// allows this much more wall time.
absl::Duration Slack(absl::Duration budget) {
  return std::max(absl::Seconds(2), budget / 2);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SandboxedFingerprintBackend>>
SandboxedFingerprintBackend::Create(const Options& options) {
  CM_ASSIGN_OR_RETURN(std::unique_ptr<DecoderPool> pool,
                      DecoderPool::Create(options.pool));
  return std::unique_ptr<SandboxedFingerprintBackend>(
      new SandboxedFingerprintBackend(options, std::move(pool)));
}

absl::StatusOr<MediaFingerprint> SandboxedFingerprintBackend::Fingerprint(
    const Request& request) {
  const absl::Time now = absl::Now();
  CM_RETURN_IF_ERROR(CheckAlive(request, now));
  const MediaFingerprinter::Options& fo = request.options;
  const int64_t max_bytes =
      std::max(fo.image_limits.max_bytes, fo.video.limits.max_bytes);
  if (static_cast<int64_t>(request.media.size()) > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("media is ", request.media.size(),
                     " bytes, over the limit of ", max_bytes));
  }
  const bool video = IsAllowedVideo(SniffMediaFormat(request.media));
  const absl::Duration budget = video ? options_.video_cpu : options_.image_cpu;
  const absl::Time budget_end = now + budget + Slack(budget);
  DecoderProcess::Wait wait;
  wait.until = std::min(request.deadline, budget_end);
  wait.until_is_deadline = request.deadline <= budget_end;
  wait.cancelled = request.cancelled;
  wait.budget =
      absl::StrCat(absl::ToInt64Milliseconds(budget), " ms of CPU (sandbox.",
                   video ? "video" : "image", "_cpu_ms)");
  const uint32_t cpu_seconds =
      static_cast<uint32_t>(std::ceil(absl::ToDoubleSeconds(budget)));
  const DecodeRequest wire = RequestToWire(fo, wait.until - now, cpu_seconds);
  DecoderProcess::Outcome outcome = pool_->Decode(wire, request.media, wait);
  if (outcome.failure != DecoderFailure::kNone && !outcome.result.ok() &&
      absl::IsInternal(outcome.result.status())) {
    return absl::InternalError(absl::StrCat(outcome.result.status().message(),
                                            " decoding this media"));
  }
  return std::move(outcome.result);
}

std::string DefaultDecoderPath(absl::string_view name) {
  std::error_code error;
  const std::filesystem::path exe =
      std::filesystem::read_symlink("/proc/self/exe", error);
  std::vector<std::filesystem::path> candidates;
  if (!error) candidates.push_back(exe.parent_path() / std::string(name));
  candidates.push_back(std::filesystem::path(CLEARMATCH_BUILD_SANDBOX_DIR) /
                       std::string(name));
  for (const std::filesystem::path& candidate : candidates) {
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

}  // namespace clearmatch::sandbox
