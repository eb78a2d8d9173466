// Frames on the decoder socket: a 4-byte little-endian length, then that
// many bytes. Both sides bound the length they accept, so neither can make
// the other allocate without end.
//
//   CM_RETURN_IF_ERROR(WriteFrame(fd, bytes));
//   absl::StatusOr<std::string> frame = ReadFrame(fd, kMaxBytes, wait);
//
// WriteFrame never raises SIGPIPE (send with MSG_NOSIGNAL on a socket).
#ifndef CLEARMATCH_SANDBOX_FRAME_IO_H_
#define CLEARMATCH_SANDBOX_FRAME_IO_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace clearmatch::sandbox {

// Waits until `fd` is ready for `events` (POLLIN or POLLOUT) or has hung
// up: true; false to give up.
using FdWait = std::function<bool(int fd, short events)>;

// Writes the frame of `bytes` on a stream socket. `wait` (may be empty:
// block) is called before each write; when it returns false, ABORTED.
// UNAVAILABLE when the peer is gone (EPIPE, ECONNRESET), INTERNAL for other
// errors.
absl::Status WriteFrame(int fd, absl::string_view bytes,
                        const FdWait& wait = nullptr);

// Reads one frame. `wait` (may be empty: block) is called before each
// read; when it returns false, ABORTED ("gave up waiting"). UNAVAILABLE on
// end of stream (the peer closed or died), DATA_LOSS on a frame longer
// than `max_bytes`, INTERNAL for read errors.
absl::StatusOr<std::string> ReadFrame(int fd, uint32_t max_bytes,
                                      const FdWait& wait = nullptr);

}  // namespace clearmatch::sandbox

#endif  // CLEARMATCH_SANDBOX_FRAME_IO_H_
