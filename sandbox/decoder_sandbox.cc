#include "sandbox/decoder_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace clearmatch::sandbox {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizerBuild = true;
#else
constexpr bool kSanitizerBuild = false;
#endif

absl::Status Errno(absl::string_view step) {
  return absl::InternalError(
      absl::StrCat("decoder sandbox: ", step, ": ", std::strerror(errno)));
}

absl::Status CloseOtherFds(int keep) {
  if (keep <= 2) {
    return absl::InvalidArgumentError("decoder sandbox: socket fd must be > 2");
  }
  // stdin and stdout go; stderr stays for warnings.
  close(0);
  close(1);
  if (keep > 3 && syscall(SYS_close_range, 3u, keep - 1u, 0u) != 0) {
    return Errno("close_range");
  }
  if (syscall(SYS_close_range, keep + 1u, ~0u, 0u) != 0) {
    return Errno("close_range");
  }
  return absl::OkStatus();
}

absl::Status SetLimit(int resource, rlim_t value, absl::string_view name) {
  const rlimit limit{value, value};
  if (setrlimit(resource, &limit) != 0) return Errno(name);
  return absl::OkStatus();
}

absl::Status SetLimits(const DecoderSandboxOptions& options) {
  // Sanitizer runtimes reserve terabytes of address space for their shadow
  // memory: RLIMIT_AS would stop them at start. Sanitizer builds run the
  // decoder without it (docs/SECURITY.md).
  if (options.memory_bytes > 0 && !kSanitizerBuild) {
    CM_RETURN_IF_ERROR(SetLimit(RLIMIT_AS, options.memory_bytes, "RLIMIT_AS"));
  }
  CM_RETURN_IF_ERROR(SetLimit(RLIMIT_NOFILE, 8, "RLIMIT_NOFILE"));
  CM_RETURN_IF_ERROR(SetLimit(RLIMIT_FSIZE, 0, "RLIMIT_FSIZE"));
  CM_RETURN_IF_ERROR(SetLimit(RLIMIT_CORE, 0, "RLIMIT_CORE"));
  // The soft CPU limit is set per decode (LimitCpuFromNow); the hard one
  // stays, so that raising the soft one needs no privilege.
  return absl::OkStatus();
}

void TryNamespaces(const DecoderSandboxOptions& options) {
  if (unshare(CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC) != 0 &&
      options.log_warning) {
    options.log_warning(absl::StrCat(
        "decoder sandbox: no new network/mount/IPC namespaces (",
        std::strerror(errno), "); the seccomp filter still applies"));
  }
}

struct FilterDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};

absl::Status Allow(scmp_filter_ctx ctx, int syscall_number) {
  const int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, syscall_number, 0);
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("decoder sandbox: seccomp rule for syscall ",
                     syscall_number, ": ", std::strerror(-rc)));
  }
  return absl::OkStatus();
}

// Conditional rules: own process only, fstat of an open fd only.
absl::Status AllowNarrowed(scmp_filter_ctx ctx) {
  const scmp_datum_t pid = static_cast<scmp_datum_t>(getpid());
  struct Rule {
    int number;
    scmp_arg_cmp arg;
  };
  const Rule rules[] = {
      {SCMP_SYS(prlimit64), SCMP_A0(SCMP_CMP_EQ, 0)},
      {SCMP_SYS(prlimit64), SCMP_A0(SCMP_CMP_EQ, pid)},
      {SCMP_SYS(tgkill), SCMP_A0(SCMP_CMP_EQ, pid)},
      {SCMP_SYS(kill), SCMP_A0(SCMP_CMP_EQ, pid)},
      {SCMP_SYS(newfstatat), SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH)},
  };
  for (const Rule& rule : rules) {
    const int rc =
        seccomp_rule_add(ctx, SCMP_ACT_ALLOW, rule.number, 1, rule.arg);
    if (rc != 0) {
      return absl::InternalError(
          absl::StrCat("decoder sandbox: seccomp rule for syscall ",
                       rule.number, ": ", std::strerror(-rc)));
    }
  }
  return absl::OkStatus();
}

// Sanitizer builds only (production builds never allow these): the
// runtimes test whether memory is readable through a pipe of their own
// (IsAccessibleMemoryRange), query the signal stack when a decoder's
// longjmp (libpng's errors) unwinds, and read /proc/self/maps for the main
// thread's stack; opening and readlink fail with EACCES rather than kill,
// and the runtime goes on without them.
absl::Status AllowSanitizerRuntime(scmp_filter_ctx ctx) {
  CM_RETURN_IF_ERROR(Allow(ctx, SCMP_SYS(pipe2)));
  CM_RETURN_IF_ERROR(Allow(ctx, SCMP_SYS(sigaltstack)));
  for (int number : {SCMP_SYS(openat), SCMP_SYS(open), SCMP_SYS(readlink)}) {
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), number, 0) != 0) {
      return absl::InternalError("decoder sandbox: sanitizer seccomp rules");
    }
  }
  return absl::OkStatus();
}

absl::Status InstallSeccomp() {
  std::unique_ptr<void, FilterDeleter> ctx(seccomp_init(SCMP_ACT_KILL_PROCESS));
  if (ctx == nullptr) {
    return absl::InternalError("decoder sandbox: seccomp_init failed");
  }
  const int allowed[] = {
      // The socket and stderr.
      SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
      SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(fstat), SCMP_SYS(lseek),
      SCMP_SYS(close),
      // Memory.
      SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
      SCMP_SYS(mprotect), SCMP_SYS(madvise),
      // Locks, clocks, the CPU budget, signals (abort, SIGXCPU).
      SCMP_SYS(futex), SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
      SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday), SCMP_SYS(getrusage),
      SCMP_SYS(setrlimit), SCMP_SYS(getrlimit), SCMP_SYS(getpid),
      SCMP_SYS(gettid), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
      SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity), SCMP_SYS(getrandom),
      SCMP_SYS(exit), SCMP_SYS(exit_group)};
  for (int number : allowed) CM_RETURN_IF_ERROR(Allow(ctx.get(), number));
  if (kSanitizerBuild) CM_RETURN_IF_ERROR(AllowSanitizerRuntime(ctx.get()));
  CM_RETURN_IF_ERROR(AllowNarrowed(ctx.get()));
  const int rc = seccomp_load(ctx.get());
  if (rc != 0) {
    return absl::InternalError(
        absl::StrCat("decoder sandbox: cannot install the seccomp filter: ",
                     std::strerror(-rc)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status EnterDecoderSandbox(const DecoderSandboxOptions& options) {
  CM_RETURN_IF_ERROR(CloseOtherFds(options.socket_fd));
  TryNamespaces(options);
  CM_RETURN_IF_ERROR(SetLimits(options));
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return Errno("PR_SET_NO_NEW_PRIVS");
  }
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return Errno("PR_SET_DUMPABLE");
  return InstallSeccomp();
}

absl::Status LimitCpuFromNow(uint32_t budget_seconds) {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return Errno("getrusage");
  const int64_t used_us =
      (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * int64_t{1000000} +
      usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
  const rlim_t used_seconds = static_cast<rlim_t>((used_us + 999999) / 1000000);
  rlimit limit{};
  if (getrlimit(RLIMIT_CPU, &limit) != 0) return Errno("getrlimit");
  limit.rlim_cur = used_seconds + budget_seconds;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_cur > limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
  }
  if (setrlimit(RLIMIT_CPU, &limit) != 0) return Errno("RLIMIT_CPU");
  return absl::OkStatus();
}

}  // namespace clearmatch::sandbox
