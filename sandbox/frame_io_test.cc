#include "sandbox/frame_io.h"

#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace clearmatch::sandbox {
namespace {

class FrameIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_), 0);
  }
  void TearDown() override {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  int fds_[2] = {-1, -1};
};

TEST_F(FrameIoTest, AFrameArrivesWhole) {
  const std::string bytes(100000, 'x');
  std::string got;
  // Bigger than the socket buffer: the reader must run meanwhile.
  std::thread reader([&] {
    absl::StatusOr<std::string> frame = ReadFrame(fds_[1], 1 << 20);
    ASSERT_TRUE(frame.ok()) << frame.status();
    got = *frame;
  });
  ASSERT_TRUE(WriteFrame(fds_[0], bytes).ok());
  reader.join();
  EXPECT_EQ(got, bytes);
  ASSERT_TRUE(WriteFrame(fds_[0], "").ok());
  absl::StatusOr<std::string> empty = ReadFrame(fds_[1], 10);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, "");
}

TEST_F(FrameIoTest, AFrameOverTheLimitIsDataLoss) {
  ASSERT_TRUE(WriteFrame(fds_[0], "0123456789a").ok());
  absl::StatusOr<std::string> frame = ReadFrame(fds_[1], 10);
  EXPECT_EQ(frame.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(frame.status().message().find("11 bytes"), std::string::npos);
}

TEST_F(FrameIoTest, AClosedPeerIsUnavailableBothWays) {
  ASSERT_TRUE(WriteFrame(fds_[0], "abc").ok());
  close(fds_[0]);
  fds_[0] = -1;
  // What was sent before the close still arrives; then end of stream.
  EXPECT_TRUE(ReadFrame(fds_[1], 10).ok());
  EXPECT_EQ(ReadFrame(fds_[1], 10).status().code(),
            absl::StatusCode::kUnavailable);
  // Writing to a closed peer: no SIGPIPE (the test would die of it).
  EXPECT_EQ(WriteFrame(fds_[1], std::string(1 << 20, 'y')).code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(FrameIoTest, AWaitThatGivesUpIsAborted) {
  int waits = 0;
  absl::StatusOr<std::string> frame =
      ReadFrame(fds_[1], 10, [&](int, short) { return ++waits < 3; });
  // Nothing to read: the wait says "ready" twice (reads find nothing, as
  // with a spurious wake-up), then gives up.
  EXPECT_EQ(frame.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(waits, 3);
}

}  // namespace
}  // namespace clearmatch::sandbox
