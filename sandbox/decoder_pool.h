// DecoderPool: `size` DecoderProcesses, one decode each at a time. A
// process that ends abnormally is counted (by cause) and replaced when the
// next decode needs it; a binary that keeps failing to start is retried
// with an exponential backoff and meanwhile answered UNAVAILABLE, never in a
// loop.
//
//   CM_ASSIGN_OR_RETURN(std::unique_ptr<DecoderPool> pool,
//                       DecoderPool::Create(options));
//   DecoderProcess::Outcome o = pool->Decode(request, media, wait);
//
// Thread-safe. Shutdown() (any thread) kills the decodes in flight.
#ifndef CLEARMATCH_SANDBOX_DECODER_POOL_H_
#define CLEARMATCH_SANDBOX_DECODER_POOL_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "sandbox/decoder_failure.h"
#include "sandbox/decoder_process.h"

namespace clearmatch::sandbox {

class DecoderPool {
 public:
  struct Options {
    DecoderProcess::Options process;
    // Decoder processes (>= 1); the daemon uses limits.workers.
    int size = 2;
    // Wait before retrying a start that failed, doubled per failure.
    absl::Duration min_backoff = absl::Milliseconds(100);
    absl::Duration max_backoff = absl::Seconds(10);
  };

  // Starts every process. The first start's error (FAILED_PRECONDITION
  // naming the binary and why) when one cannot start.
  static absl::StatusOr<std::unique_ptr<DecoderPool>> Create(
      const Options& options);
  ~DecoderPool();

  // One decode on a free process (waiting for one within `wait`). Besides
  // DecoderProcess's outcomes: UNAVAILABLE when the pool is shut down or a
  // replacement cannot start (with the reason; retried after a backoff),
  // DEADLINE_EXCEEDED / CANCELLED while waiting for a free process.
  DecoderProcess::Outcome Decode(const DecodeRequest& request,
                                 absl::Span<const uint8_t> media,
                                 const DecoderProcess::Wait& wait);

  // Kills every process (decodes in flight end with kShutdown) and refuses
  // further decodes. Does not wait.
  void Shutdown();

  // Processes running now.
  int live() const;
  // Processes that ended abnormally with `cause` (replaced or to be).
  int64_t restarts(DecoderFailure cause) const;
  // clearmatch_decoder_restarts_total{cause} and clearmatch_decoder_processes.
  std::string RenderPrometheus() const;

 private:
  struct Slot {
    std::unique_ptr<DecoderProcess> process;
    bool busy = false;
    int start_failures = 0;
    absl::Time next_start = absl::InfinitePast();
    std::string last_error;
  };

  explicit DecoderPool(const Options& options);

  // A free slot (marked busy), or the error that ended the wait.
  absl::StatusOr<int> Acquire(const DecoderProcess::Wait& wait);
  // Starts the slot's process when it has none; UNAVAILABLE in backoff or
  // when the start fails.
  absl::Status EnsureStarted(int slot);
  void Release(int slot, DecoderFailure failure);

  const Options options_;
  mutable absl::Mutex mu_;
  std::vector<Slot> slots_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::array<int64_t, kDecoderFailureCount> restarts_ ABSL_GUARDED_BY(mu_){};
};

}  // namespace clearmatch::sandbox

#endif  // CLEARMATCH_SANDBOX_DECODER_POOL_H_
