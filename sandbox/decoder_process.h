// DecoderProcess: one clearmatch-decoder child of the daemon and the
// socket to it (sandbox/decoder_main_loop.h). Start spawns it (posix_spawn,
// the socket as its fd 3, an empty signal mask, a near-empty environment)
// and waits for its "ready"; Decode sends one request and waits for the
// answer, polling the caller's stop condition every 50 ms; any abnormal
// end kills the child, reaps it and says why (DecoderFailure).
//
//   CM_ASSIGN_OR_RETURN(std::unique_ptr<DecoderProcess> p,
//                       DecoderProcess::Start(options));
//   DecoderProcess::Outcome o = p->Decode(request, media, wait);
//   if (o.failure != DecoderFailure::kNone) ... p is dead: replace it ...
//
// Thread-compatible, except Kill(), which any thread may call while
// another is in Decode.
#ifndef CLEARMATCH_SANDBOX_DECODER_PROCESS_H_
#define CLEARMATCH_SANDBOX_DECODER_PROCESS_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "fingerprint/media_fingerprinter.h"
#include "sandbox/decoder_failure.h"
#include "sandbox/decoder_wire.pb.h"

namespace clearmatch::sandbox {

class DecoderProcess {
 public:
  struct Options {
    // The decoder binary (clearmatch-decoder, or a test's).
    std::string path;
    // Its RLIMIT_AS (bytes).
    uint64_t memory_bytes = uint64_t{2} << 30;
    // Longest wait for "ready" (loading the codecs, entering the sandbox).
    absl::Duration start_timeout = absl::Seconds(30);
  };

  // How long Decode waits, and for what.
  struct Wait {
    // Give up (kill the child) at this time: kTimeout, or kDeadline when
    // `until_is_deadline` (it is the client's deadline).
    absl::Time until = absl::InfiniteFuture();
    bool until_is_deadline = false;
    // Polled every ~50 ms: true kills the child (kCancelled).
    std::function<bool()> cancelled;
    // The budget, for messages: "5000 ms of CPU (sandbox.image_cpu_ms)".
    std::string budget = "its budget";
  };

  struct Outcome {
    // The decoder's answer (kNone, and kMemory when the decoder answered
    // RESOURCE_EXHAUSTED and exited), or an error naming what happened:
    // INTERNAL for kCrash, kSandboxViolation and kProtocol;
    // RESOURCE_EXHAUSTED (media over a limit) for kCpu, kMemory, kTimeout;
    // DEADLINE_EXCEEDED, CANCELLED, UNAVAILABLE (kShutdown).
    absl::StatusOr<MediaFingerprint> result;
    DecoderFailure failure = DecoderFailure::kNone;
  };

  // FAILED_PRECONDITION naming the binary and why it did not become ready
  // (cannot be run; exited, with its own reason when it gave one, e.g. the
  // seccomp filter could not be installed; no "ready" in start_timeout).
  static absl::StatusOr<std::unique_ptr<DecoderProcess>> Start(
      const Options& options);

  // Kills and reaps the child if it still runs.
  ~DecoderProcess();
  DecoderProcess(const DecoderProcess&) = delete;
  DecoderProcess& operator=(const DecoderProcess&) = delete;

  // One request. After an outcome with a failure the process is dead
  // (alive() false) and answers nothing more.
  Outcome Decode(const DecodeRequest& request, absl::Span<const uint8_t> media,
                 const Wait& wait);

  // Ends the child now (SIGKILL); a Decode in progress returns kShutdown.
  // Thread-safe.
  void Kill();

  bool alive() const ABSL_LOCKS_EXCLUDED(mu_);
  pid_t pid() const { return pid_; }

 private:
  DecoderProcess(const Options& options, pid_t pid, int fd);

  // Waits for the ready frame.
  absl::Status AwaitReady();
  // The answer frame, or the failure that ended the wait.
  Outcome ReadAnswer(const Wait& wait);
  // Kills the child (unless already reaped), reaps it and classifies its
  // end: `killed_for` when the daemon killed it for that reason (kCrash:
  // for no reason of its own, the child had died); `detail` for messages.
  Outcome Reap(DecoderFailure killed_for, const Wait& wait,
               absl::string_view detail = "");
  // Why the reaped child ended.
  DecoderFailure Classify(int status, int64_t max_rss_bytes,
                          DecoderFailure killed_for) const;
  // The error of `failure`.
  absl::Status FailureStatus(DecoderFailure failure, int status,
                             const Wait& wait, absl::string_view detail) const;

  const Options options_;
  const pid_t pid_;
  const int fd_;
  // Set by Kill(): the end is the daemon's doing, not the media's.
  std::atomic<bool> killed_{false};
  mutable absl::Mutex mu_;  // reaping against Kill(): pid_ is never reused
  bool reaped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace clearmatch::sandbox

#endif  // CLEARMATCH_SANDBOX_DECODER_PROCESS_H_
