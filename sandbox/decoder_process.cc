#include "sandbox/decoder_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "sandbox/decoder_main_loop.h"
#include "sandbox/decoder_wire_codec.h"
#include "sandbox/frame_io.h"

namespace clearmatch::sandbox {
namespace {

constexpr absl::Duration kPollSlice = absl::Milliseconds(50);

// What the child sees of the daemon's environment: where modules are, and
// the sanitizers' options in sanitizer builds. Nothing else.
std::vector<std::string> ChildEnvironment() {
  std::vector<std::string> env;
  for (const char* name : {"CLEARMATCH_MODULE_DIR", "ASAN_OPTIONS",
                           "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name); value != nullptr) {
      env.push_back(absl::StrCat(name, "=", value));
    }
  }
  return env;
}

// posix_spawn with `child_fd` as the child's fd 3, every signal at its
// default and none blocked (the daemon may block some in its threads).
absl::StatusOr<pid_t> Spawn(const DecoderProcess::Options& options,
                            int child_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_fd, kDecoderSocketFd);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const std::string memory =
      absl::StrCat("--memory-bytes=", options.memory_bytes);
  std::vector<std::string> env = ChildEnvironment();
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  char* argv[] = {const_cast<char*>(options.path.c_str()),
                  const_cast<char*>(memory.c_str()), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, options.path.c_str(), &actions, &attr, argv,
                             envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot run the decoder \"", options.path, "\": ", strerror(rc)));
  }
  return pid;
}

// Waits in slices of kPollSlice for `events`, giving up at `wait.until` or
// when `wait.cancelled` says so; `*gave_up` tells which.
FdWait MakeFdWait(const DecoderProcess::Wait& wait, DecoderFailure* gave_up) {
  return [&wait, gave_up](int fd, short events) {
    while (true) {
      if (wait.cancelled && wait.cancelled()) {
        *gave_up = DecoderFailure::kCancelled;
        return false;
      }
      const absl::Duration left = wait.until - absl::Now();
      if (left <= absl::ZeroDuration()) {
        *gave_up = wait.until_is_deadline ? DecoderFailure::kDeadline
                                          : DecoderFailure::kTimeout;
        return false;
      }
      pollfd p{fd, events, 0};
      const int ms = static_cast<int>(absl::ToInt64Milliseconds(
          std::min(left, kPollSlice) + absl::Milliseconds(1)));
      const int n = poll(&p, 1, ms);
      if (n > 0) return true;  // ready, or hung up (the read tells)
      if (n < 0 && errno != EINTR) return true;
    }
  };
}

std::string SignalName(int signal) {
  const char* name = sigabbrev_np(signal);
  return name == nullptr ? absl::StrCat("signal ", signal)
                         : absl::StrCat("signal ", signal, ", SIG", name);
}

}  // namespace

absl::StatusOr<std::unique_ptr<DecoderProcess>> DecoderProcess::Start(
    const Options& options) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return absl::UnavailableError(
        absl::StrCat("socketpair for a decoder: ", strerror(errno)));
  }
  // dup2 onto the same number would keep FD_CLOEXEC: never hand fd 3.
  if (fds[1] == kDecoderSocketFd) {
    const int moved = fcntl(fds[1], F_DUPFD_CLOEXEC, kDecoderSocketFd + 1);
    close(fds[1]);
    fds[1] = moved;
  }
  absl::StatusOr<pid_t> pid = Spawn(options, fds[1]);
  close(fds[1]);
  if (!pid.ok()) {
    close(fds[0]);
    return pid.status();
  }
  std::unique_ptr<DecoderProcess> process(
      new DecoderProcess(options, *pid, fds[0]));
  CM_RETURN_IF_ERROR(process->AwaitReady());
  return process;
}

DecoderProcess::DecoderProcess(const Options& options, pid_t pid, int fd)
    : options_(options), pid_(pid), fd_(fd) {}

DecoderProcess::~DecoderProcess() {
  if (alive()) Reap(DecoderFailure::kShutdown, Wait{});
  close(fd_);
}

bool DecoderProcess::alive() const {
  absl::MutexLock lock(&mu_);
  return !reaped_;
}

absl::Status DecoderProcess::AwaitReady() {
  Wait wait;
  wait.until = absl::Now() + options_.start_timeout;
  DecoderFailure gave_up = DecoderFailure::kNone;
  absl::StatusOr<std::string> frame =
      ReadFrame(fd_, kMaxRequestFrameBytes, MakeFdWait(wait, &gave_up));
  if (frame.ok() && *frame == kReadyFrame) return absl::OkStatus();
  const std::string where = absl::StrCat("the decoder \"", options_.path, "\"");
  if (frame.ok() && absl::StartsWith(*frame, kErrorFramePrefix)) {
    Reap(DecoderFailure::kCrash, wait);
    return absl::FailedPreconditionError(absl::StrCat(
        where, " cannot serve: ",
        absl::string_view(*frame).substr(sizeof(kErrorFramePrefix) - 1)));
  }
  if (gave_up != DecoderFailure::kNone) {
    Reap(DecoderFailure::kTimeout, wait);
    return absl::FailedPreconditionError(
        absl::StrCat(where, " was not ready within ",
                     absl::FormatDuration(options_.start_timeout)));
  }
  const Outcome end = Reap(DecoderFailure::kCrash, wait);
  return absl::FailedPreconditionError(absl::StrCat(
      where, " ended before it was ready: ", end.result.status().message()));
}

DecoderProcess::Outcome DecoderProcess::Decode(const DecodeRequest& request,
                                               absl::Span<const uint8_t> media,
                                               const Wait& wait) {
  DecoderFailure gave_up = DecoderFailure::kNone;
  const FdWait fd_wait = MakeFdWait(wait, &gave_up);
  absl::Status sent = WriteFrame(fd_, request.SerializeAsString(), fd_wait);
  if (sent.ok()) {
    sent = WriteFrame(
        fd_,
        absl::string_view(reinterpret_cast<const char*>(media.data()),
                          media.size()),
        fd_wait);
  }
  if (!sent.ok()) {
    // Gave up, or the child is gone (it crashed reading the request).
    return Reap(
        gave_up != DecoderFailure::kNone ? gave_up : DecoderFailure::kCrash,
        wait);
  }
  return ReadAnswer(wait);
}

DecoderProcess::Outcome DecoderProcess::ReadAnswer(const Wait& wait) {
  DecoderFailure gave_up = DecoderFailure::kNone;
  absl::StatusOr<std::string> frame =
      ReadFrame(fd_, kMaxResultFrameBytes, MakeFdWait(wait, &gave_up));
  if (!frame.ok()) {
    if (gave_up != DecoderFailure::kNone) return Reap(gave_up, wait);
    if (absl::IsDataLoss(frame.status())) {
      return Reap(DecoderFailure::kProtocol, wait, frame.status().message());
    }
    return Reap(DecoderFailure::kCrash, wait);  // end of stream: it died
  }
  DecodeResult result;
  if (!result.ParseFromString(*frame)) {
    return Reap(DecoderFailure::kProtocol, wait,
                "an answer that is no "
                "DecodeResult");
  }
  absl::StatusOr<absl::StatusOr<MediaFingerprint>> answer =
      ResultFromWire(result);
  if (!answer.ok()) {
    return Reap(DecoderFailure::kProtocol, wait, answer.status().message());
  }
  if (result.exiting()) {
    Reap(DecoderFailure::kMemory, wait);
    return {*std::move(answer), DecoderFailure::kMemory};
  }
  return {*std::move(answer), DecoderFailure::kNone};
}

void DecoderProcess::Kill() {
  killed_.store(true);
  absl::MutexLock lock(&mu_);
  if (!reaped_) kill(pid_, SIGKILL);
}

DecoderProcess::Outcome DecoderProcess::Reap(DecoderFailure killed_for,
                                             const Wait& wait,
                                             absl::string_view detail) {
  int status = 0;
  rusage usage{};
  {
    absl::MutexLock lock(&mu_);
    if (reaped_) {
      return {absl::InternalError("the decoder process is gone"),
              DecoderFailure::kCrash};
    }
    kill(pid_, SIGKILL);  // harmless if it already died (a zombie)
    while (wait4(pid_, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  const DecoderFailure failure =
      Classify(status, int64_t{usage.ru_maxrss} * 1024, killed_for);
  return {FailureStatus(failure, status, wait, detail), failure};
}

DecoderFailure DecoderProcess::Classify(int status, int64_t max_rss_bytes,
                                        DecoderFailure killed_for) const {
  if (killed_.load()) return DecoderFailure::kShutdown;
  const bool by_us = killed_for != DecoderFailure::kCrash;
  // A crash with most of the address-space limit in use is the limit's.
  const bool near_memory_limit =
      options_.memory_bytes > 0 &&
      static_cast<uint64_t>(max_rss_bytes) >= options_.memory_bytes / 2;
  if (!WIFSIGNALED(status)) {
    return by_us ? killed_for : DecoderFailure::kCrash;
  }
  switch (WTERMSIG(status)) {
    case SIGSYS:
      return DecoderFailure::kSandboxViolation;
    case SIGXCPU:
      return DecoderFailure::kCpu;
    case SIGKILL:
      if (by_us) return killed_for;
      break;
    default:
      break;
  }
  return near_memory_limit ? DecoderFailure::kMemory : DecoderFailure::kCrash;
}

absl::Status DecoderProcess::FailureStatus(DecoderFailure failure, int status,
                                           const Wait& wait,
                                           absl::string_view detail) const {
  const std::string how =
      WIFSIGNALED(status)
          ? absl::StrCat("(", SignalName(WTERMSIG(status)), ")")
          : absl::StrCat("(exit status ", WEXITSTATUS(status), ")");
  switch (failure) {
    case DecoderFailure::kNone:
    case DecoderFailure::kCrash:
      return absl::InternalError(
          absl::StrCat("the decoder process crashed ", how));
    case DecoderFailure::kSandboxViolation:
      return absl::InternalError(absl::StrCat(
          "the decoder process was killed by its sandbox ", how,
          ": it made a system call outside its seccomp allow-list"));
    case DecoderFailure::kCpu:
      return absl::ResourceExhaustedError(
          absl::StrCat("decoding used more than ", wait.budget,
                       "; the decoder process was stopped ", how));
    case DecoderFailure::kMemory:
      return absl::ResourceExhaustedError(absl::StrCat(
          "decoding ran out of the decoder process's memory limit of ",
          options_.memory_bytes, " bytes (sandbox.memory_bytes) ", how));
    case DecoderFailure::kTimeout:
      return absl::ResourceExhaustedError(
          absl::StrCat("decoding took longer than ", wait.budget,
                       " allows; the decoder process was killed"));
    case DecoderFailure::kDeadline:
      return absl::DeadlineExceededError(
          "the request deadline passed while decoding; the decoder process "
          "was killed");
    case DecoderFailure::kCancelled:
      return absl::CancelledError(
          "the client cancelled; the decoder process was killed");
    case DecoderFailure::kProtocol:
      return absl::InternalError(
          absl::StrCat("the decoder process broke the protocol (", detail,
                       "); it was killed"));
    case DecoderFailure::kShutdown:
      return absl::UnavailableError(
          "the daemon is shutting down; the decoder process was stopped");
  }
  return absl::InternalError("the decoder process ended");
}

}  // namespace clearmatch::sandbox
