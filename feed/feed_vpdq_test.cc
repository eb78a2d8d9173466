// vPDQ entries in the feed: the record format (and that records of the
// format before vPDQ still read), validation on read, the HashStore round
// trip, and a publish -> sync -> list cycle through a signed feed.
#include <cmath>
#include <functional>
#include <limits>

#include "absl/strings/str_cat.h"
#include "crypto/ed25519_signer.h"
#include "feed/feed_format.h"
#include "feed/feed_publisher.h"
#include "feed/feed_syncer.h"
#include "feed/file_feed_source.h"
#include "feed/hash_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hashing/file_digests.h"
#include "testing/feed_fixtures.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::ReadTextFile;
using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestEntry;
using ::clearmatch::testing::WriteFile;
using ::testing::AllOf;
using ::testing::HasSubstr;

// A video entry of `frames` frames whose hashes and times are derived from
// `i` (seconds that are not exact in decimal, to test exact round trips).
FeedEntry VideoEntry(int64_t i, int frames) {
  FeedEntry entry;
  entry.entry_id = absl::StrCat("video-", i);
  entry.hash_type = HashType::kVpdq;
  entry.bank = "videos";
  entry.category = "ncii";
  entry.added_at_unix_seconds = 1700000000 + i;
  for (int f = 0; f < frames; ++f) {
    // Four copies of one entry's 16-digit md5-style unit: 64 hex digits.
    const std::string unit = TestEntry(i * 1000 + f * 4 + 1).hash.substr(0, 16);
    entry.frames.push_back({unit + unit + unit + unit, f * 30, f / 3.0 + 0.1});
  }
  return entry;
}

FeedChange Add(FeedEntry entry) { return {FeedChange::Op::kAdd, entry}; }

TEST(FeedVpdqTest, RecordsRoundTripExactly) {
  const std::vector<FeedChange> changes = {
      Add(VideoEntry(1, 3)), Add(TestEntry(0)), Add(VideoEntry(2, 200))};
  const std::string bytes = EncodeFeedRecords(changes);
  auto decoded = DecodeFeedRecords(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->size(), 3u);
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ((*decoded)[i].entry, changes[i].entry) << i;
  }
  // 200 frames are far more than a hash record may take.
  EXPECT_GT(bytes.size(), static_cast<size_t>(kMaxRecordBytes));
}

// A video's removal may name only its id and type (no frames): it reads,
// and writes back as the same removal (found by feed_records_fuzzer: the
// type was left out on writing, and read back as PDQ).
TEST(FeedVpdqTest, RemovalOfAVideoWithoutFramesRoundTrips) {
  FeedChange removal;
  removal.op = FeedChange::Op::kRemove;
  removal.entry.entry_id = "video-1";
  removal.entry.hash_type = HashType::kVpdq;
  auto decoded = DecodeFeedRecords(EncodeFeedRecords({removal}));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ((*decoded)[0].op, FeedChange::Op::kRemove);
  EXPECT_EQ((*decoded)[0].entry, removal.entry);
}

TEST(FeedVpdqTest, RecordOfTheFormatBeforeVpdqStillReads) {
  // A FeedRecord as the writer before vPDQ made it, byte by byte: op=ADD,
  // entry_id "old-1", hash_type MD5, a 32-digit hash, bank "b", added_at 7.
  const std::string hash = "0123456789abcdef0123456789abcdef";
  std::string record = std::string("\x08\x01\x12\x05", 4) + "old-1" +
                       std::string("\x18\x02\x22\x20", 4) + hash +
                       std::string("\x2a\x01", 2) + "b" +
                       std::string("\x38\x07", 2);
  ASSERT_EQ(record.size(), 50u);
  auto decoded = DecodeFeedRecords(std::string(1, '\x32') + record);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->size(), 1u);
  const FeedEntry& entry = (*decoded)[0].entry;
  EXPECT_EQ(entry.entry_id, "old-1");
  EXPECT_EQ(entry.hash_type, HashType::kMd5);
  EXPECT_EQ(entry.hash, hash);
  EXPECT_EQ(entry.bank, "b");
  EXPECT_EQ(entry.added_at_unix_seconds, 7);
  EXPECT_TRUE(entry.frames.empty());
}

TEST(FeedVpdqTest, LongRecordWithoutFramesIsRefused) {
  v1::FeedRecord record;
  record.set_op(v1::FeedRecord::OP_ADD);
  record.set_entry_id("long");
  record.set_hash_type(v1::HASH_TYPE_MD5);
  record.set_hash(TestEntry(1).hash);
  record.set_bank(std::string(5000, 'b'));  // pads the record past 4096
  std::string bytes;
  record.SerializeToString(&bytes);
  ASSERT_LT(bytes.size(), 1u << 14);  // a two-byte length prefix
  std::string framed = {static_cast<char>((bytes.size() & 0x7f) | 0x80),
                        static_cast<char>(bytes.size() >> 7)};
  auto decoded = DecodeFeedRecords(framed + bytes);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(),
              HasSubstr("record without vpdq frames"));
}

struct BadVideo {
  std::string name;
  std::function<void(FeedEntry&)> spoil;
  std::string problem;
};

class BadVpdqRecordTest : public ::testing::TestWithParam<BadVideo> {};

TEST_P(BadVpdqRecordTest, IsRefusedNamingTheEntry) {
  FeedEntry entry = VideoEntry(7, 4);
  GetParam().spoil(entry);
  auto decoded =
      DecodeFeedRecords(EncodeFeedRecords({Add(TestEntry(0)), Add(entry)}));
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(),
              AllOf(HasSubstr("record 1"), HasSubstr("\"video-7\""),
                    HasSubstr(GetParam().problem)));
}

INSTANTIATE_TEST_SUITE_P(
    Faults, BadVpdqRecordTest,
    ::testing::Values(
        BadVideo{"NoFrames", [](FeedEntry& e) { e.frames.clear(); },
                 "no frames"},
        BadVideo{"ShortHash", [](FeedEntry& e) { e.frames[2].hash.resize(62); },
                 "vpdq frame 2"},
        BadVideo{"UppercaseHash",
                 [](FeedEntry& e) { e.frames[1].hash[5] = 'A'; },
                 "not lowercase hex"},
        BadVideo{"FrameNumbersGoBack",
                 [](FeedEntry& e) { e.frames[3].frame_number = 1; },
                 "below the previous"},
        BadVideo{"NegativeFrameNumber",
                 [](FeedEntry& e) { e.frames[0].frame_number = -1; },
                 "negative"},
        BadVideo{"NegativeSeconds",
                 [](FeedEntry& e) { e.frames[1].seconds = -0.5; }, "seconds"},
        BadVideo{"NanSeconds",
                 [](FeedEntry& e) {
                   e.frames[1].seconds =
                       std::numeric_limits<double>::quiet_NaN();
                 },
                 "not a finite number"},
        BadVideo{"InfiniteSeconds",
                 [](FeedEntry& e) { e.frames[2].seconds = INFINITY; },
                 "not a finite number"},
        BadVideo{"HashBesidesFrames",
                 [](FeedEntry& e) { e.hash = std::string(64, 'a'); },
                 "has a hash"},
        BadVideo{"FramesOnAnMd5Entry",
                 [](FeedEntry& e) {
                   e.hash_type = HashType::kMd5;
                   e.hash = std::string(32, 'a');
                 },
                 "md5 entry has frames"}),
    [](const auto& info) { return info.param.name; });

TEST(FeedVpdqTest, TooManyFramesAreRefused) {
  std::vector<FeedFrame> frames(kMaxFramesPerVideo + 1);
  const absl::Status status = ValidateFrames(frames);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("more than the limit"));
  frames.resize(1);
  frames[0].hash = std::string(64, '0');
  EXPECT_TRUE(ValidateFrames(frames).ok());
}

TEST(FeedVpdqTest, HashStoreKeepsFramesExactly) {
  TempDir dir;
  HashStore::Options store_options;
  store_options.path = dir.File("s.sqlite");
  auto store = HashStore::Open(store_options);
  ASSERT_TRUE(store.ok()) << store.status();
  const FeedEntry video = VideoEntry(3, 50);
  auto applied = (*store)->ApplyDelta({"f", 1, 0}, {Add(video)});
  ASSERT_TRUE(applied.ok()) << applied.status();
  auto listed = (*store)->ListEntries("f");
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0], video);  // seconds such as 1/3 + 0.1 bit for bit
  // The same entry again changes nothing; other frames replace it.
  auto same = (*store)->ApplyDelta({"f", 2, 0}, {Add(video)});
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->added.empty());
  FeedEntry changed = video;
  changed.frames.pop_back();
  auto replaced = (*store)->ApplyDelta({"f", 3, 0}, {Add(changed)});
  ASSERT_TRUE(replaced.ok());
  ASSERT_EQ(replaced->added.size(), 1u);
  EXPECT_EQ(replaced->added[0], changed);
  // A snapshot keeps them too.
  ASSERT_TRUE((*store)->ReplaceWithSnapshot({"f", 4, 0}, {video}).ok());
  EXPECT_EQ(*(*store)->ListEntries("f"), std::vector<FeedEntry>{video});
}

TEST(FeedVpdqTest, IndexFormHasTheFrames) {
  const FeedEntry video = VideoEntry(4, 3);
  auto entry = HashEntryFromFeedEntry(video, "feed-x");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->type, HashType::kVpdq);
  ASSERT_EQ(entry->frames.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(entry->frames[i].hash.ToHex(), video.frames[i].hash);
    EXPECT_EQ(entry->frames[i].frame_number, video.frames[i].frame_number);
    EXPECT_EQ(entry->frames[i].seconds, video.frames[i].seconds);
  }
  auto back = FeedEntryFromHashEntry(*entry);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, video);
}

// A signed feed in a directory, synced from file:// into a HashStore.
class FeedVpdqSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = *Ed25519Signer::GenerateKeyPair();
    FeedPublisher::Options options;
    options.feed_dir = dir_.File("feed");
    options.private_key_pem = keys_.private_pem;
    options.feed_id = "video-feed";
    publisher_ = *FeedPublisher::Create(options);
    HashStore::Options store_options;
    store_options.path = dir_.File("store.sqlite");
    store_ = *HashStore::Open(store_options);
  }

  absl::StatusOr<FeedSyncer::Result> Sync() {
    FileFeedSource source(dir_.File("feed"));
    FeedSyncer::Options options;
    options.public_key_pem = keys_.public_pem;
    auto syncer = FeedSyncer::Create(options, source, *store_);
    if (!syncer.ok()) return syncer.status();
    return (*syncer)->Sync();
  }

  // Appends `delta_bytes` as the next delta and re-signs the manifest, as a
  // buggy publisher holding the key would.
  void PublishRawDelta(const std::string& delta_bytes, uint64_t records) {
    const std::string manifest_path = dir_.File("feed/manifest.pb");
    v1::FeedManifest manifest;
    ASSERT_TRUE(manifest.ParseFromString(ReadTextFile(manifest_path)));
    const uint64_t sequence = manifest.sequence() + 1;
    const std::string path = absl::StrCat("deltas/raw", sequence, ".delta");
    WriteFile(dir_.File("feed/" + path), delta_bytes);
    v1::FeedFile* file = manifest.add_deltas();
    file->set_sequence(sequence);
    file->set_path(path);
    file->set_sha256(Sha256Hex(delta_bytes));
    file->set_record_count(records);
    file->set_size_bytes(delta_bytes.size());
    manifest.set_sequence(sequence);
    std::string bytes;
    manifest.SerializeToString(&bytes);
    WriteFile(manifest_path, bytes);
    WriteFile(dir_.File("feed/manifest.pb.sig"),
              *(*Ed25519Signer::Create(keys_.private_pem))->Sign(bytes));
  }

  TempDir dir_;
  Ed25519KeyPair keys_;
  std::unique_ptr<FeedPublisher> publisher_;
  std::unique_ptr<HashStore> store_;
};

TEST_F(FeedVpdqSyncTest, PublishedVideoSyncsAndListsBackEqual) {
  const FeedEntry video = VideoEntry(5, 12);
  ASSERT_TRUE(publisher_->Publish({Add(video), Add(TestEntry(0))}).ok());
  auto result = Sync();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->to_sequence, 1u);
  ASSERT_EQ(result->changes.added.size(), 2u);
  EXPECT_EQ(result->changes.added[0], video);
  auto listed = store_->ListEntries("video-feed");
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(*listed, (std::vector<FeedEntry>{TestEntry(0), video}));
  // Withdrawn by id, like any entry.
  ASSERT_TRUE(
      publisher_->Publish({testing::RemoveChange(video.entry_id)}).ok());
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(*store_->ListEntries("video-feed"),
            std::vector<FeedEntry>{TestEntry(0)});
}

TEST_F(FeedVpdqSyncTest, BadVideoRecordRefusesTheDelta) {
  ASSERT_TRUE(publisher_->Publish({Add(TestEntry(0))}).ok());
  ASSERT_TRUE(Sync().ok());
  FeedEntry bad = VideoEntry(9, 3);
  bad.frames[1].frame_number = 100;  // then frame 2 goes back to 60
  PublishRawDelta(EncodeFeedRecords({Add(TestEntry(1)), Add(bad)}), 2);
  auto result = Sync();
  ASSERT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument)
      << result.status();
  EXPECT_THAT(result.status().message(),
              AllOf(HasSubstr("\"video-9\""), HasSubstr("vpdq frame 2")));
  // Nothing of the delta landed.
  EXPECT_EQ((*store_->GetCheckpoint("video-feed"))->sequence, 1u);
  EXPECT_EQ(*store_->ListEntries("video-feed"),
            std::vector<FeedEntry>{TestEntry(0)});
}

}  // namespace
}  // namespace clearmatch
