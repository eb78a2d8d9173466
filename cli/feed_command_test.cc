// `clearmatch feed keygen|publish|verify|sync` end to end on a directory.
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "cli/command.h"
#include "cli/feed_media_entries.h"
#include "feed/hash_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hashing/vpdq_feature.h"
#include "testing/feed_fixtures.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch::cli {
namespace {

using ::clearmatch::testing::Md5sumOfFile;
using ::clearmatch::testing::ReadTextFile;
using ::clearmatch::testing::ReferencePdqHash;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::testing::AllOf;
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

// A fresh key pair in <dir>/keys.
void Keygen(const TempDir& dir) {
  ASSERT_EQ(Feed({"keygen", "--out", dir.File("keys")}).code, kExitOk);
}

CommandRun Publish(const TempDir& dir, std::vector<std::string> args) {
  std::vector<std::string> all = {"publish", "--key",
                                  dir.File("keys") + "/private.pem",
                                  "--feed-dir", dir.File("feed")};
  all.insert(all.end(), args.begin(), args.end());
  return Feed(all);
}

// The feed of `dir` synced into a fresh store, by entry id.
std::map<std::string, FeedEntry> SyncedEntries(const TempDir& dir) {
  const std::string store_path = dir.File("read-back.sqlite");
  std::remove(store_path.c_str());
  CommandRun synced =
      Feed({"sync", "--url", "file://" + dir.File("feed"), "--pubkey",
            dir.File("keys") + "/public.pem", "--store", store_path});
  EXPECT_EQ(synced.code, kExitOk) << synced.err;
  HashStore::Options options;
  options.path = store_path;
  auto store = HashStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  std::map<std::string, FeedEntry> entries;
  if (!store.ok()) return entries;
  absl::StatusOr<std::vector<FeedEntry>> listed = (*store)->ListEntries("");
  EXPECT_TRUE(listed.ok()) << listed.status();
  if (!listed.ok()) return entries;
  for (const FeedEntry& entry : *listed) entries[entry.entry_id] = entry;
  return entries;
}

// The reference frames of vpdq/reference_r1/<name>.txt.
std::vector<VpdqFeature> ReferenceFrames(const std::string& name) {
  auto frames = ParseVpdqFeatures(
      ReadTextFile(TestdataPath("vpdq/reference_r1/" + name + ".txt")));
  EXPECT_TRUE(frames.ok()) << frames.status();
  return frames.ok() ? *frames : std::vector<VpdqFeature>{};
}

int HexDistance(const std::string& a, const std::string& b) {
  return PdqHash::FromHex(a)->DistanceTo(*PdqHash::FromHex(b));
}

TEST(FeedCommandTest, AddMediaPublishesTheHashesOfImagesAndVideos) {
  TempDir dir;
  Keygen(dir);
  const std::string image = TestdataPath("pdq/q0122.jpg");
  const std::string video = TestdataPath("vpdq/test-padded-dimensions.mp4");
  CommandRun published = Publish(dir, {"--add-media", image, video, "--bank",
                                       "tid", "--category", "ncii"});
  ASSERT_EQ(published.code, kExitOk) << published.err;
  // The video has black bars of its own: its content is banked too.
  EXPECT_THAT(published.out, HasSubstr("(5 records)"));

  const std::map<std::string, FeedEntry> entries = SyncedEntries(dir);
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries.count("q0122.jpg-pdq-trimmed"), 0u);  // no border
  const FeedEntry& pdq = entries.at("q0122.jpg-pdq");
  EXPECT_EQ(pdq.hash_type, HashType::kPdq);
  EXPECT_EQ(pdq.hash, ReferencePdqHash("q0122.jpg"));
  EXPECT_EQ(pdq.bank, "tid");
  EXPECT_EQ(pdq.category, "ncii");
  EXPECT_EQ(entries.at("q0122.jpg-md5").hash, Md5sumOfFile(image));
  EXPECT_EQ(entries.at("test-padded-dimensions.mp4-md5").hash,
            Md5sumOfFile(video));

  // Frame for frame the reference's (all of quality 100), hashes within the
  // few bits two FFmpeg builds differ by.
  const FeedEntry& vpdq = entries.at("test-padded-dimensions.mp4-vpdq");
  EXPECT_EQ(vpdq.hash_type, HashType::kVpdq);
  EXPECT_EQ(vpdq.bank, "tid");
  const std::vector<VpdqFeature> reference =
      ReferenceFrames("test-padded-dimensions");
  ASSERT_EQ(vpdq.frames.size(), reference.size());
  ASSERT_FALSE(reference.empty());
  for (size_t i = 0; i < reference.size(); ++i) {
    EXPECT_EQ(vpdq.frames[i].frame_number, reference[i].frame_number) << i;
    EXPECT_NEAR(vpdq.frames[i].seconds, reference[i].seconds, 0.0005) << i;
    EXPECT_LE(HexDistance(vpdq.frames[i].hash, reference[i].hash.ToHex()), 8)
        << i;
  }
  // Its content inside the bars: the same frames, every one far from the
  // frame with its bars (tests/integration/video_edits_integration_test
  // matches a letterboxed copy on it).
  const FeedEntry& content =
      entries.at("test-padded-dimensions.mp4-vpdq-trimmed");
  EXPECT_EQ(content.hash_type, HashType::kVpdq);
  EXPECT_EQ(content.category, "ncii");
  ASSERT_EQ(content.frames.size(), vpdq.frames.size());
  for (size_t i = 0; i < content.frames.size(); ++i) {
    EXPECT_EQ(content.frames[i].frame_number, vpdq.frames[i].frame_number);
    EXPECT_GT(HexDistance(content.frames[i].hash, vpdq.frames[i].hash), 31)
        << i;
  }
}

TEST(FeedCommandTest, CsvVpdqRowsReadAFramesFile) {
  TempDir dir;
  Keygen(dir);
  // The reference's own frames file; its frames below quality 50 are left
  // out.
  const std::string frames =
      TestdataPath("vpdq/reference_r1/doorknob-hd-no-bar.txt");
  dir.Write("add.csv",
            "# hash_type,hash,entry_id,bank,category\n"
            "vpdq," +
                frames +
                ",door-1,tid,ncii\n"
                "md5,0123456789abcdef0123456789abcdef,e2,tid,\n"
                " VPDQ , " +
                frames + " , door-2 # the same video again\n");
  CommandRun published = Publish(dir, {"--add", dir.File("add.csv")});
  ASSERT_EQ(published.code, kExitOk) << published.err;
  const std::map<std::string, FeedEntry> entries = SyncedEntries(dir);
  ASSERT_EQ(entries.size(), 3u);
  std::vector<FeedFrame> want;
  for (const VpdqFeature& f : ReferenceFrames("doorknob-hd-no-bar")) {
    if (f.quality >= 50) {
      want.push_back(
          {f.hash.ToHex(), static_cast<int32_t>(f.frame_number), f.seconds});
    }
  }
  ASSERT_EQ(want.size(), 2u);  // of 4 (qualities 100, 68, 0, 24)
  EXPECT_EQ(entries.at("door-1").frames, want);
  EXPECT_EQ(entries.at("door-1").category, "ncii");
  EXPECT_EQ(entries.at("door-2").frames, want);
  EXPECT_EQ(entries.at("e2").hash_type, HashType::kMd5);

  // Withdrawn by a --remove row (its frames file is not needed).
  dir.Write("remove.csv", "vpdq,gone.txt,door-1\n");
  ASSERT_EQ(Publish(dir, {"--remove", dir.File("remove.csv")}).code, kExitOk);
  EXPECT_FALSE(SyncedEntries(dir).contains("door-1"));
}

TEST(FeedCommandTest, MediaAndFramesErrorsNameTheFile) {
  TempDir dir;
  Keygen(dir);
  const std::string missing = dir.File("missing.mp4");
  CommandRun unreadable =
      Publish(dir, {"--add-media", missing, "--bank", "tid"});
  EXPECT_EQ(unreadable.code, kExitInputFailed);
  EXPECT_THAT(unreadable.err, HasSubstr(missing));
  const std::string text = dir.Write("notes.txt", "not an image at all\n");
  CommandRun not_media = Publish(dir, {"--add-media", text, "--bank", "tid"});
  EXPECT_EQ(not_media.code, kExitInputFailed);
  EXPECT_THAT(not_media.err, AllOf(HasSubstr(text), HasSubstr("INVALID")));
  EXPECT_EQ(Publish(dir, {"--add-media", text}).code, kExitUsage);  // no bank
  EXPECT_EQ(Publish(dir, {"--add-media", "--bank", "tid"}).code, kExitUsage);

  // A frames file with no usable frame, and one with a malformed line.
  const std::string dark =
      dir.Write("dark.txt", "0,10," + std::string(64, '0') + ",0.000\n");
  dir.Write("dark.csv",
            "md5,0123456789abcdef0123456789abcdef,e1\n"
            "vpdq,dark.txt,dark-1\n");
  CommandRun no_frames = Publish(dir, {"--add", dir.File("dark.csv")});
  EXPECT_EQ(no_frames.code, kExitInputFailed);
  EXPECT_THAT(no_frames.err, AllOf(HasSubstr("line 2"), HasSubstr(dark),
                                   HasSubstr("no frames")));
  dir.Write("bad.txt", "0,100,abc,0.000\n");
  dir.Write("bad.csv", "vpdq,bad.txt,bad-1\n");
  CommandRun malformed = Publish(dir, {"--add", dir.File("bad.csv")});
  EXPECT_EQ(malformed.code, kExitInputFailed);
  EXPECT_THAT(malformed.err, AllOf(HasSubstr("bad.txt"), HasSubstr("line 1")));
  // Nothing was published by any of these.
  EXPECT_FALSE(std::filesystem::exists(dir.File("feed/manifest.pb")));
}

TEST(FeedCommandTest, BankFramesDropUnreliableFrames) {
  VpdqFeature good, dark;
  good.frame_number = 30;
  good.quality = 50;
  good.seconds = 1;
  dark.quality = 49;
  auto frames = BankFrames({dark, good}, "clip");
  ASSERT_TRUE(frames.ok()) << frames.status();
  ASSERT_EQ(frames->size(), 1u);
  EXPECT_EQ((*frames)[0].frame_number, 30);
  auto none = BankFrames({dark}, "clip");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(none.status().message(),
              AllOf(HasSubstr("clip"), HasSubstr("no frames")));
}

}  // namespace
}  // namespace clearmatch::cli
