// `clearmatch feed keygen|publish|verify|sync` end to end on a directory.
#include <sys/stat.h>

#include <sstream>

#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/feed_fixtures.h"
#include "testing/temp_dir.h"

namespace clearmatch::cli {
namespace {

using ::clearmatch::testing::TempDir;
using ::testing::HasSubstr;

struct CommandRun {
  int code;
  std::string out, err;
};

CommandRun Feed(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = RunFeedCommand(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(FeedCommandTest, KeygenPublishVerifySync) {
  TempDir dir;
  const std::string keys = dir.File("keys"), feed = dir.File("feed");
  ASSERT_EQ(Feed({"keygen", "--out", keys}).code, kExitOk);
  // Only the owner may read the private key.
  struct stat info;
  ASSERT_EQ(stat((keys + "/private.pem").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(Feed({"keygen", "--out", keys}).code,
            kExitInputFailed);  // no overwrite
  dir.Write(
      "add.csv",
      "# hash_type,hash,entry_id,bank,category\n"
      "pdq,d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22,"
      "e1,tid,ncii\n\nMD5,0123456789ABCDEF0123456789abcdef,e2,,\n");
  dir.Write("remove.csv", "md5,0123456789abcdef0123456789abcdef,e2\n");
  CommandRun published = Feed({"publish", "--key", keys + "/private.pem",
                               "--feed-dir", feed, "--add", dir.File("add.csv"),
                               "--feed-id", "demo", "--expires-in", "2d"});
  ASSERT_EQ(published.code, kExitOk) << published.err;
  EXPECT_THAT(published.out, HasSubstr("sequence 1"));
  ASSERT_EQ(Feed({"publish", "--key", keys + "/private.pem", "--feed-dir", feed,
                  "--remove", dir.File("remove.csv")})
                .code,
            kExitOk);
  CommandRun verified =
      Feed({"verify", "--pubkey", keys + "/public.pem", feed});
  ASSERT_EQ(verified.code, kExitOk) << verified.err;
  EXPECT_THAT(verified.out, HasSubstr("sequence 2"));

  CommandRun synced =
      Feed({"sync", "--url", "file://" + feed, "--pubkey", keys + "/public.pem",
            "--store", dir.File("s.sqlite")});
  ASSERT_EQ(synced.code, kExitOk) << synced.err;
  EXPECT_THAT(synced.out, HasSubstr("0 -> 2"));
  EXPECT_THAT(synced.out, HasSubstr("store holds 1 entries"));
  CommandRun again =
      Feed({"sync", "--url", feed, "--pubkey", keys + "/public.pem", "--store",
            dir.File("s.sqlite")});
  EXPECT_THAT(again.out, HasSubstr("up to date at sequence 2"));

  // Another key does not verify this feed.
  ASSERT_EQ(Feed({"keygen", "--out", dir.File("other")}).code, kExitOk);
  CommandRun foreign =
      Feed({"verify", "--pubkey", dir.File("other") + "/public.pem", feed});
  EXPECT_EQ(foreign.code, kExitInputFailed);
  EXPECT_THAT(foreign.err, HasSubstr("UNAUTHENTICATED"));
}

TEST(FeedCommandTest, BadInputIsAUsageOrInputError) {
  TempDir dir;
  EXPECT_EQ(Feed({}).code, kExitUsage);
  EXPECT_EQ(Feed({"frobnicate"}).code, kExitUsage);
  EXPECT_EQ(Feed({"publish", "--key"}).code, kExitUsage);
  ASSERT_EQ(Feed({"keygen", "--out", dir.File("k")}).code, kExitOk);
  dir.Write("bad.csv", "pdq,zz,e1\n");
  CommandRun bad =
      Feed({"publish", "--key", dir.File("k") + "/private.pem", "--feed-dir",
            dir.File("f"), "--add", dir.File("bad.csv")});
  EXPECT_EQ(bad.code, kExitInputFailed);
  EXPECT_THAT(bad.err, HasSubstr("line 1"));
  CommandRun expiry =
      Feed({"publish", "--key", dir.File("k") + "/private.pem", "--feed-dir",
            dir.File("f"), "--expires-in", "soon"});
  EXPECT_EQ(expiry.code, kExitUsage);
}

}  // namespace
}  // namespace clearmatch::cli
