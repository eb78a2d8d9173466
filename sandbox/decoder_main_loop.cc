#include "sandbox/decoder_main_loop.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "fingerprint/media_fingerprinter.h"
#include "sandbox/decoder_sandbox.h"
#include "sandbox/decoder_wire_codec.h"
#include "sandbox/frame_io.h"
#include "sandbox/warmup_media.h"

#if defined(__SANITIZE_ADDRESS__)
// Sanitizer builds only: a fatal signal in a decoder ends it as it would
// without ASan (the daemon names the signal), instead of running ASan's
// report, which opens /proc files and is itself killed by the seccomp
// filter. Leak checks at exit would clone a tracer: decoders are killed,
// not exited, so they have none.
extern "C" const char* __asan_default_options() {
  return "handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigfpe=0:"
         "handle_sigill=0:detect_leaks=0";
}
extern "C" const char* __ubsan_default_options() {
  return "handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigfpe=0:"
         "handle_sigill=0";
}
#endif

namespace clearmatch::sandbox {
namespace {

void WriteStderr(absl::string_view message) {
  const std::string line = absl::StrCat("clearmatch-decoder: ", message, "\n");
  [[maybe_unused]] const ssize_t n = write(2, line.data(), line.size());
}

// --memory-bytes=N; the only flag.
absl::StatusOr<uint64_t> ParseMemoryBytes(int argc, char** argv) {
  uint64_t memory_bytes = 0;
  constexpr absl::string_view kFlag = "--memory-bytes=";
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (!absl::StartsWith(arg, kFlag) ||
        !absl::SimpleAtoi(arg.substr(kFlag.size()), &memory_bytes)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown argument \"", arg,
                       "\" (usage: clearmatch-decoder --memory-bytes=N, "
                       "started by clearmatchd with its socket on fd 3)"));
    }
  }
  return memory_bytes;
}

// Every lazy set-up decoding does (module load, codec tables, OpenSSL's
// providers) happens here, before the filter forbids opening files.
absl::Status WarmUp() {
  MediaFingerprinter::Options options;
  options.dihedral = true;
  options.video.decoder_threads = 1;
  CM_ASSIGN_OR_RETURN(std::unique_ptr<MediaFingerprinter> fingerprinter,
                      MediaFingerprinter::Create(options));
  for (absl::Span<const uint8_t> media : WarmupMedia()) {
    absl::StatusOr<MediaFingerprint> fp = fingerprinter->Fingerprint(media);
    if (!fp.ok()) {
      return absl::InternalError(
          absl::StrCat("warm-up decode failed: ", fp.status().message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<MediaFingerprint> Decode(const DecodeRequest& request,
                                        const std::string& media,
                                        const DecoderHooks& hooks) {
  const absl::Span<const uint8_t> bytes(
      reinterpret_cast<const uint8_t*>(media.data()), media.size());
  CM_RETURN_IF_ERROR(LimitCpuFromNow(request.cpu_seconds()));
  if (hooks.before_decode) hooks.before_decode(bytes);
  CM_ASSIGN_OR_RETURN(std::unique_ptr<MediaFingerprinter> fingerprinter,
                      MediaFingerprinter::Create(OptionsFromWire(request)));
  return fingerprinter->Fingerprint(bytes);
}

// One request and its answer. False when the loop should end: the socket
// closed (the daemon is done with this process) or it must exit.
bool ServeOne(int fd, const DecoderHooks& hooks, int* exit_status) {
  absl::StatusOr<std::string> header = ReadFrame(fd, kMaxRequestFrameBytes);
  if (!header.ok()) return false;  // the daemon closed the socket
  DecodeRequest request;
  if (!request.ParseFromString(*header)) {
    WriteStderr("malformed request");
    *exit_status = 2;
    return false;
  }
  const uint64_t max_media = static_cast<uint64_t>(
      std::max<int64_t>(request.image_max_bytes(), request.video_max_bytes()));
  absl::StatusOr<std::string> media = ReadFrame(
      fd, static_cast<uint32_t>(std::min<uint64_t>(max_media, UINT32_MAX)));
  if (!media.ok()) return false;
  DecodeResult result;
  bool out_of_memory = false;
  try {
    result = ResultToWire(Decode(request, *media, hooks));
  } catch (const std::bad_alloc&) {
    out_of_memory = true;
    result = ResultToWire(absl::ResourceExhaustedError(
        "decoding ran out of the decoder process's memory limit "
        "(sandbox.memory_bytes)"));
    result.set_exiting(true);
  }
  media->clear();
  media->shrink_to_fit();
  if (!WriteFrame(fd, result.SerializeAsString()).ok()) return false;
  return !out_of_memory;
}

}  // namespace

int RunDecoderMain(int argc, char** argv, const DecoderHooks& hooks) {
  const int fd = kDecoderSocketFd;
  absl::StatusOr<uint64_t> memory_bytes = ParseMemoryBytes(argc, argv);
  absl::Status status = memory_bytes.status();
  if (status.ok()) status = WarmUp();
  if (status.ok()) {
    status = EnterDecoderSandbox({.socket_fd = fd,
                                  .memory_bytes = *memory_bytes,
                                  .log_warning = WriteStderr});
  }
  if (!status.ok()) {
    WriteStderr(status.message());
    (void)WriteFrame(fd, absl::StrCat(kErrorFramePrefix, status.message()));
    return 1;
  }
  if (!WriteFrame(fd, kReadyFrame).ok()) return 1;
  int exit_status = 0;
  while (ServeOne(fd, hooks, &exit_status)) {
  }
  return exit_status;
}

}  // namespace clearmatch::sandbox
