// Credentials files: permissions, size, the two formats, and that no
// content ever reaches a message.
#include "clearinghouse/credentials.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::string WriteWithMode(const TempDir& dir, const std::string& name,
                          const std::string& content, mode_t mode) {
  const std::string path = dir.Write(name, content);
  EXPECT_EQ(::chmod(path.c_str(), mode), 0);
  return path;
}

TEST(ReadCredentialsFileTest, OwnerOnlyFileIsRead) {
  TempDir dir;
  const std::string path =
      WriteWithMode(dir, "ncmec.credentials", "alice:pw\n", 0600);
  auto content = ReadCredentialsFile(path);
  ASSERT_TRUE(content.ok()) << content.status();
  EXPECT_EQ(*content, "alice:pw\n");
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(ReadCredentialsFile(path).ok());
}

TEST(ReadCredentialsFileTest, GroupOrWorldReadableFileIsRefused) {
  TempDir dir;
  for (mode_t mode : {0644, 0640, 0604, 0620, 0660}) {
    const std::string path =
        WriteWithMode(dir, "ncmec.credentials", "alice:hunter2\n", mode);
    auto content = ReadCredentialsFile(path);
    ASSERT_EQ(content.status().code(), absl::StatusCode::kFailedPrecondition)
        << std::oct << mode;
    EXPECT_THAT(content.status().message(),
                AllOf(HasSubstr(path), HasSubstr("chmod 600"),
                      Not(HasSubstr("hunter2")), Not(HasSubstr("alice"))));
  }
  auto shown = ReadCredentialsFile(dir.File("ncmec.credentials"));
  EXPECT_THAT(shown.status().message(), HasSubstr("mode 0660"));
}

TEST(ReadCredentialsFileTest, MissingDirectoryAndLargeFilesAreRefused) {
  TempDir dir;
  auto missing = ReadCredentialsFile(dir.File("absent"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(missing.status().message(), HasSubstr(dir.File("absent")));
  auto directory = ReadCredentialsFile(dir.path());
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(directory.status().message(), HasSubstr("not a regular file"));
  const std::string big = WriteWithMode(
      dir, "big", std::string(kMaxCredentialsFileBytes + 1, 'k'), 0600);
  auto too_big = ReadCredentialsFile(big);
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(too_big.status().message(), HasSubstr("65536"));
}

TEST(ParseNcmecCredentialsTest, OneLineWithCommentsBlankLinesAndCrlf) {
  auto parsed = ParseNcmecCredentials(
      "# NCMEC test environment\r\n\r\n  esp-user:pa:ss "
      "word\r\n\r\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->username, "esp-user");
  EXPECT_EQ(parsed->password, "pa:ss word");
}

TEST(ParseNcmecCredentialsTest, BadFilesAreRefusedWithoutTheirContent) {
  for (const std::string& text : std::vector<std::string>{
           "", "# only a comment\n", "nocolon-secret\n", ":secretpw\n",
           "user-secret:\n", "a:secret1\nb:secret2\n"}) {
    auto parsed = ParseNcmecCredentials(text);
    ASSERT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << text;
    EXPECT_THAT(parsed.status().message(),
                AllOf(HasSubstr("NCMEC credentials"), Not(HasSubstr("secret"))))
        << text;
  }
}

TEST(ParseStopNciiCredentialsTest, KeyValueLinesWithCommentsAndCrlf) {
  auto parsed = ParseStopNciiCredentials(
      "# StopNCII\r\nsubscription_key=sub-1\r\n\r\n"
      "fetch_hashes_key = fetch=2 \r\nsubmit_feedback_key=feedback-3\r\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->subscription_key, "sub-1");
  EXPECT_EQ(parsed->fetch_hashes_key, "fetch=2");
  EXPECT_EQ(parsed->submit_feedback_key, "feedback-3");
}

TEST(ParseStopNciiCredentialsTest, MissingKeysAreNamed) {
  auto parsed = ParseStopNciiCredentials("subscription_key=secret-sub\n");
  ASSERT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      parsed.status().message(),
      AllOf(HasSubstr("fetch_hashes_key"), HasSubstr("submit_feedback_key"),
            Not(HasSubstr("subscription_key")), Not(HasSubstr("secret"))));
}

TEST(ParseStopNciiCredentialsTest, BadLinesAreRefusedWithoutTheirContent) {
  const std::string valid =
      "subscription_key=s1\nfetch_hashes_key=f1\nsubmit_feedback_key=k1\n";
  for (const std::string& text : std::vector<std::string>{
           valid + "secret-without-equals\n", valid + "secretkey=value\n",
           valid + "subscription_key=secret-again\n",
           std::string("subscription_key=\nfetch_hashes_key=f1\n"
                       "submit_feedback_key=k1\n")}) {
    auto parsed = ParseStopNciiCredentials(text);
    ASSERT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << text;
    EXPECT_THAT(parsed.status().message(),
                AllOf(HasSubstr("line "), Not(HasSubstr("secret"))))
        << text;
  }
}

}  // namespace
}  // namespace clearmatch
