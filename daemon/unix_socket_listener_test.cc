// Tests of UnixSocketListener's socket file: its mode whatever the umask, a
// stale socket replaced, any other file (or a live socket) left alone, the
// file removed at Stop, and the peers it does not know.
#include "daemon/unix_socket_listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

bool Exists(const std::string& path) {
  struct stat status {};
  return lstat(path.c_str(), &status) == 0;
}

// A socket file left at `path` by a process that is gone.
void LeaveStaleSocket(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.data(), path.size());
  ASSERT_EQ(
      bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)),
      0);
  close(fd);
  ASSERT_TRUE(Exists(path));
}

TEST(UnixSocketListenerTest, SocketFileIsGroupOnlyWhateverTheUmask) {
  const testing::TempDir dir("clearmatch-unix-listener");
  const mode_t old_umask = umask(0);
  auto listener = UnixSocketListener::Create(dir.File("d.sock"));
  umask(old_umask);
  ASSERT_TRUE(listener.ok()) << listener.status();
  struct stat status {};
  ASSERT_EQ(lstat(dir.File("d.sock").c_str(), &status), 0);
  EXPECT_TRUE(S_ISSOCK(status.st_mode));
  EXPECT_EQ(status.st_mode & 07777, 0660u);
  (*listener)->Stop();
  EXPECT_FALSE(Exists(dir.File("d.sock")));
}

TEST(UnixSocketListenerTest, StaleSocketIsReplaced) {
  const testing::TempDir dir("clearmatch-unix-listener");
  LeaveStaleSocket(dir.File("d.sock"));
  auto listener = UnixSocketListener::Create(dir.File("d.sock"));
  ASSERT_TRUE(listener.ok()) << listener.status();
  EXPECT_EQ((*listener)->path(), dir.File("d.sock"));
}

TEST(UnixSocketListenerTest, OtherFilesAndLiveSocketsAreLeftAlone) {
  const testing::TempDir dir("clearmatch-unix-listener");
  std::ofstream(dir.File("file")) << "data";
  auto on_file = UnixSocketListener::Create(dir.File("file"));
  EXPECT_EQ(on_file.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(on_file.status().message(), HasSubstr("is not a socket"));
  EXPECT_TRUE(Exists(dir.File("file")));

  auto first = UnixSocketListener::Create(dir.File("d.sock"));
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = UnixSocketListener::Create(dir.File("d.sock"));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("running process"));
  EXPECT_TRUE(Exists(dir.File("d.sock")));  // still the first one's
}

TEST(UnixSocketListenerTest, PathLongerThanASocketAddressIsRefused) {
  auto listener = UnixSocketListener::Create("/tmp/" + std::string(120, 'x'));
  EXPECT_EQ(listener.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(listener.status().message(), HasSubstr("unix_socket"));
}

TEST(UnixSocketListenerTest, UnknownPeersHaveNoUid) {
  const testing::TempDir dir("clearmatch-unix-listener");
  auto listener = UnixSocketListener::Create(dir.File("d.sock"));
  ASSERT_TRUE(listener.ok()) << listener.status();
  EXPECT_EQ((*listener)->UidOf("ipv4:127.0.0.1:5000"), std::nullopt);
  EXPECT_EQ((*listener)->UidOf("fd:0"), std::nullopt);  // never accepted
  EXPECT_EQ((*listener)->UidOf("fd:x"), std::nullopt);
}

}  // namespace
}  // namespace clearmatch
