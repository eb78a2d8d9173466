#include "sandbox/decoder_pool.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace clearmatch::sandbox {
namespace {

constexpr absl::Duration kPollSlice = absl::Milliseconds(50);

// The causes counted by the restart metric.
constexpr DecoderFailure kCountedCauses[] = {
    DecoderFailure::kCrash,     DecoderFailure::kSandboxViolation,
    DecoderFailure::kCpu,       DecoderFailure::kMemory,
    DecoderFailure::kTimeout,   DecoderFailure::kDeadline,
    DecoderFailure::kCancelled, DecoderFailure::kProtocol};

}  // namespace

absl::StatusOr<std::unique_ptr<DecoderPool>> DecoderPool::Create(
    const Options& options) {
  if (options.size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("decoder pool size ", options.size, "; at least 1"));
  }
  std::unique_ptr<DecoderPool> pool(new DecoderPool(options));
  for (int i = 0; i < options.size; ++i) {
    CM_ASSIGN_OR_RETURN(std::unique_ptr<DecoderProcess> process,
                        DecoderProcess::Start(options.process));
    absl::MutexLock lock(&pool->mu_);
    pool->slots_[i].process = std::move(process);
  }
  return pool;
}

DecoderPool::DecoderPool(const Options& options)
    : options_(options), slots_(options.size) {}

DecoderPool::~DecoderPool() {
  Shutdown();
  // Every caller has returned (the owner destroys the pool after them).
  absl::MutexLock lock(&mu_);
  slots_.clear();
}

void DecoderPool::Shutdown() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  for (Slot& slot : slots_) {
    if (slot.process != nullptr) slot.process->Kill();
  }
}

absl::StatusOr<int> DecoderPool::Acquire(const DecoderProcess::Wait& wait) {
  absl::MutexLock lock(&mu_);
  while (true) {
    if (stopping_) {
      return absl::UnavailableError("the daemon is shutting down");
    }
    // A running process first; then one to start.
    for (bool need_process : {true, false}) {
      for (size_t i = 0; i < slots_.size(); ++i) {
        Slot& slot = slots_[i];
        if (slot.busy || (need_process && slot.process == nullptr)) continue;
        slot.busy = true;
        return static_cast<int>(i);
      }
    }
    if (wait.cancelled && wait.cancelled()) {
      return absl::CancelledError(
          "the client cancelled while waiting for a decoder process");
    }
    if (absl::Now() >= wait.until) {
      return wait.until_is_deadline
                 ? absl::DeadlineExceededError(
                       "the request deadline passed while waiting for a "
                       "decoder process")
                 : absl::UnavailableError("no decoder process became free");
    }
    mu_.AwaitWithTimeout(absl::Condition(
                             +[](std::vector<Slot>* slots) {
                               for (const Slot& s : *slots) {
                                 if (!s.busy) return true;
                               }
                               return false;
                             },
                             &slots_),
                         kPollSlice);
  }
}

absl::Status DecoderPool::EnsureStarted(int index) {
  {
    absl::MutexLock lock(&mu_);
    Slot& slot = slots_[index];
    if (slot.process != nullptr) return absl::OkStatus();
    if (absl::Now() < slot.next_start) {
      return absl::UnavailableError(absl::StrCat(
          "no decoder process is available: its last start failed (",
          slot.last_error, "); retrying in ",
          absl::FormatDuration(slot.next_start - absl::Now())));
    }
  }
  absl::StatusOr<std::unique_ptr<DecoderProcess>> started =
      DecoderProcess::Start(options_.process);
  absl::MutexLock lock(&mu_);
  Slot& slot = slots_[index];
  if (!started.ok()) {
    ++slot.start_failures;
    const absl::Duration backoff =
        std::min(options_.max_backoff,
                 options_.min_backoff *
                     (int64_t{1} << std::min(slot.start_failures, 20)));
    slot.next_start = absl::Now() + backoff;
    slot.last_error = std::string(started.status().message());
    return absl::UnavailableError(absl::StrCat(
        "no decoder process is available: ", started.status().message()));
  }
  slot.start_failures = 0;
  slot.process = *std::move(started);
  if (stopping_) slot.process->Kill();
  return absl::OkStatus();
}

void DecoderPool::Release(int index, DecoderFailure failure) {
  absl::MutexLock lock(&mu_);
  Slot& slot = slots_[index];
  slot.busy = false;
  if (failure == DecoderFailure::kNone) return;
  slot.process.reset();  // already reaped: quick
  if (failure != DecoderFailure::kShutdown) {
    ++restarts_[static_cast<int>(failure)];
  }
}

DecoderProcess::Outcome DecoderPool::Decode(const DecodeRequest& request,
                                            absl::Span<const uint8_t> media,
                                            const DecoderProcess::Wait& wait) {
  absl::StatusOr<int> slot = Acquire(wait);
  if (!slot.ok()) return {slot.status(), DecoderFailure::kNone};
  if (absl::Status started = EnsureStarted(*slot); !started.ok()) {
    Release(*slot, DecoderFailure::kNone);
    return {started, DecoderFailure::kNone};
  }
  DecoderProcess* process;
  {
    absl::MutexLock lock(&mu_);
    process = slots_[*slot].process.get();
  }
  DecoderProcess::Outcome outcome = process->Decode(request, media, wait);
  Release(*slot, outcome.failure);
  return outcome;
}

int DecoderPool::live() const {
  absl::MutexLock lock(&mu_);
  int live = 0;
  for (const Slot& slot : slots_) {
    if (slot.process != nullptr && slot.process->alive()) ++live;
  }
  return live;
}

int64_t DecoderPool::restarts(DecoderFailure cause) const {
  absl::MutexLock lock(&mu_);
  return restarts_[static_cast<int>(cause)];
}

std::string DecoderPool::RenderPrometheus() const {
  std::string out =
      "# HELP clearmatch_decoder_restarts_total Decoder processes that ended "
      "abnormally and were replaced, by cause.\n"
      "# TYPE clearmatch_decoder_restarts_total counter\n";
  for (DecoderFailure cause : kCountedCauses) {
    absl::StrAppend(&out, "clearmatch_decoder_restarts_total{cause=\"",
                    DecoderFailureName(cause), "\"} ", restarts(cause), "\n");
  }
  absl::StrAppend(&out,
                  "# HELP clearmatch_decoder_processes Decoder processes "
                  "running.\n"
                  "# TYPE clearmatch_decoder_processes gauge\n"
                  "clearmatch_decoder_processes ",
                  live(), "\n");
  return out;
}

}  // namespace clearmatch::sandbox
