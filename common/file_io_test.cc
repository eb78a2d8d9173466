#include "common/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "common/scoped_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

class FileIoTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) const { return dir_.File(name); }
  // The names in the directory.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  const ::clearmatch::testing::TempDir dir_{"clearmatch-file-io-test"};
};

TEST_F(FileIoTest, WritesThenReadsBack) {
  const std::string path = Path("state");
  const std::string content("binary\0bytes\n", 13);
  ASSERT_TRUE(WriteFileAtomically(path, content).ok());
  auto read = ReadFileToString(path, 1024);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, content);
  EXPECT_THAT(Names(), ::testing::ElementsAre("state"));  // no temp left
}

TEST_F(FileIoTest, ReplacesAnExistingFileAndKeepsNoTemp) {
  const std::string path = Path("state");
  ASSERT_TRUE(WriteFileAtomically(path, "first, longer content").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second").ok());
  EXPECT_EQ(*ReadFileToString(path, 1024), "second");
  EXPECT_THAT(Names(), ::testing::ElementsAre("state"));
}

TEST_F(FileIoTest, NewFileGetsTheModeLessTheUmask) {
  const mode_t umask_now = ::umask(022);
  ASSERT_TRUE(WriteFileAtomically(Path("private"), "x", 0600).ok());
  ASSERT_TRUE(WriteFileAtomically(Path("public"), "x").ok());
  ::umask(umask_now);
  struct stat info;
  ASSERT_EQ(::stat(Path("private").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(Path("public").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);
}

TEST_F(FileIoTest, PrivateFilesAreOwnerOnlyWhateverTheUmask) {
  const mode_t old = ::umask(0);
  const std::string path = Path("private");
  ASSERT_TRUE(WriteFileAtomically(path, "old", 0644).ok());
  const absl::Status written = WritePrivateFileAtomically(path, "new");
  const absl::Status fresh = WritePrivateFileAtomically(Path("fresh"), "x");
  ::umask(old);
  ASSERT_TRUE(written.ok()) << written;
  ASSERT_TRUE(fresh.ok()) << fresh;
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u) << "the replaced file was 0644";
  ASSERT_EQ(::stat(Path("fresh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(*ReadFileToString(path, 100), "new");
}

TEST_F(FileIoTest, PrivateDirectoriesAreCreated0700AndOthersLeftAlone) {
  ASSERT_TRUE(std::filesystem::create_directory(Path("existing")));
  ASSERT_EQ(::chmod(Path("existing").c_str(), 0755), 0);
  const mode_t old = ::umask(0);
  const absl::Status made =
      CreatePrivateDirectories(Path("existing/data/inner"));
  const absl::Status again = CreatePrivateDirectories(Path("existing/data"));
  ::umask(old);
  ASSERT_TRUE(made.ok()) << made;
  ASSERT_TRUE(again.ok()) << again;
  auto mode = [&](const std::string& name) {
    struct stat st;
    return ::stat(Path(name).c_str(), &st) == 0 ? (st.st_mode & 07777) : 0u;
  };
  EXPECT_EQ(mode("existing"), 0755u);
  EXPECT_EQ(mode("existing/data"), 0700u);
  EXPECT_EQ(mode("existing/data/inner"), 0700u);
  dir_.Write("a-file", "x");
  const absl::Status not_dir = CreatePrivateDirectories(Path("a-file"));
  EXPECT_EQ(not_dir.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(not_dir.message(), HasSubstr("a-file"));
}

TEST_F(FileIoTest, WriteIntoAMissingDirectoryIsNotFound) {
  const std::string path = Path("missing/state");
  const absl::Status status = WriteFileAtomically(path, "x");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr(path));
}

TEST_F(FileIoTest, FailedRenameRemovesTheTempFile) {
  // A non-empty directory cannot be replaced by a file.
  ASSERT_TRUE(std::filesystem::create_directories(Path("target/inside")));
  const absl::Status status = WriteFileAtomically(Path("target"), "x");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(Path("target")));
  EXPECT_THAT(Names(), ::testing::ElementsAre("target"));
}

TEST_F(FileIoTest, ReadOfAMissingFileIsNotFoundNamingThePath) {
  auto read = ReadFileToString(Path("absent"), 1024);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(read.status().message(), HasSubstr(Path("absent")));
}

TEST_F(FileIoTest, ReadOverTheLimitIsResourceExhausted) {
  ASSERT_TRUE(WriteFileAtomically(Path("big"), std::string(101, 'a')).ok());
  EXPECT_TRUE(ReadFileToString(Path("big"), 101).ok());
  auto read = ReadFileToString(Path("big"), 100);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(read.status().message(), HasSubstr(Path("big")));
  EXPECT_THAT(read.status().message(), HasSubstr("101 bytes"));
}

TEST_F(FileIoTest, ReadOfADirectoryIsFailedPrecondition) {
  auto read = ReadFileToString(dir_.path(), 1024);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(read.status().message(), HasSubstr("not a regular file"));
}

TEST(ErrnoStatusTest, MapsErrnoAndNamesThePath) {
  const absl::Status status = ErrnoStatus(ENOSPC, "writing", "/x/y");
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(), HasSubstr("writing /x/y"));
}

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

TEST(ScopedFdTest, ClosesWhenDestroyedOrClosed) {
  int raw;
  {
    ScopedFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(fd.valid());
    raw = fd.get();
    EXPECT_TRUE(IsOpen(raw));
  }
  EXPECT_FALSE(IsOpen(raw));
  ScopedFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  raw = fd.get();
  EXPECT_EQ(fd.Close(), 0);
  EXPECT_FALSE(fd.valid());
  EXPECT_FALSE(IsOpen(raw));
  EXPECT_EQ(fd.Close(), 0);  // nothing held
}

TEST(ScopedFdTest, MoveTransfersOwnershipAndReleaseKeepsItOpen) {
  ScopedFd a(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int raw = a.get();
  ScopedFd b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): tested
  EXPECT_EQ(b.get(), raw);
  ScopedFd c;
  c = std::move(b);
  EXPECT_TRUE(IsOpen(raw));
  const int released = c.Release();
  EXPECT_FALSE(c.valid());
  EXPECT_TRUE(IsOpen(released));
  ::close(released);
}

}  // namespace
}  // namespace clearmatch
