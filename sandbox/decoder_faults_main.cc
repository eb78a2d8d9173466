// clearmatch-decoder-faults: TEST ONLY, built only with the tests. The real
// decoder (the same RunDecoderMain, the same sandbox) except that media
// starting with "CLEARMATCH-TEST-FAULT:" followed by a command misbehaves
// inside the sandbox, to prove what the daemon and the sandbox do then:
//   abort    abort()                                   (SIGABRT: crash)
//   segv     write through a null pointer              (SIGSEGV: crash)
//   hang     busy loop                                 (SIGXCPU: cpu)
//   pause    sleep without using CPU                   (the daemon's timeout)
//   alloc    allocate and touch memory without end     (memory)
//   open     call open(), then socket()                (SIGSYS: sandbox)
//   garbage  answer a frame longer than the daemon accepts (protocol)
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "sandbox/decoder_main_loop.h"

namespace {

constexpr absl::string_view kPrefix = "CLEARMATCH-TEST-FAULT:";

// A real SIGSEGV, also in sanitizer builds (UBSan would report the null
// store instead, and its report is itself refused by the sandbox).
__attribute__((no_sanitize_undefined)) void WriteThroughNull() {
  volatile int* null = nullptr;
  *null = 1;
}

void Misbehave(absl::Span<const uint8_t> media) {
  const absl::string_view text(reinterpret_cast<const char*>(media.data()),
                               media.size());
  if (!absl::StartsWith(text, kPrefix)) return;
  const absl::string_view command = text.substr(kPrefix.size());
  if (absl::StartsWith(command, "abort")) std::abort();
  if (absl::StartsWith(command, "segv")) WriteThroughNull();
  if (absl::StartsWith(command, "hang")) {
    volatile uint64_t spin = 0;
    while (true) spin = spin + 1;
  }
  if (absl::StartsWith(command, "pause")) {
    while (true) sleep(3600);
  }
  if (absl::StartsWith(command, "alloc")) {
    static std::vector<std::unique_ptr<char[]>> held;
    while (true) {
      held.emplace_back(new char[16 << 20]);
      std::memset(held.back().get(), 1, 16 << 20);
    }
  }
  if (absl::StartsWith(command, "open")) {
    const int fd = open("/etc/hostname", O_RDONLY);
    if (fd >= 0) close(fd);
    // Sanitizer builds answer open with EACCES (their runtimes read /proc):
    // a socket is refused in every build.
    const int sock = socket(AF_INET, SOCK_STREAM, 0);
    if (sock >= 0) close(sock);
  }
  if (absl::StartsWith(command, "garbage")) {
    const unsigned char huge[4] = {0xff, 0xff, 0xff, 0x7f};
    [[maybe_unused]] const ssize_t n =
        write(clearmatch::sandbox::kDecoderSocketFd, huge, sizeof(huge));
    while (true) sleep(3600);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return clearmatch::sandbox::RunDecoderMain(argc, argv,
                                             {.before_decode = Misbehave});
}
