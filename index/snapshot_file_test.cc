// SnapshotFile: round trip of every layer, and every single-bit flip and
// truncation is refused with DATA_LOSS.
#include "index/snapshot_file.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <tuple>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "index/index_builder.h"
#include "index/index_test_util.h"

namespace clearmatch {
namespace {

using index_test::FlipBits;
using index_test::PdqEntry;
using index_test::RandomCode;
using ::testing::HasSubstr;

// Main layer with `pdq_count` PDQ codes, an MD5 and a video; a delta; and
// removals.
std::shared_ptr<const IndexSnapshot> MixedSnapshot(int pdq_count = 200) {
  std::mt19937_64 rng(21);
  std::vector<HashEntry> entries;
  for (int i = 0; i < pdq_count; ++i) {
    entries.push_back(PdqEntry(RandomCode(rng), "p" + std::to_string(i)));
  }
  HashEntry md5;
  md5.type = HashType::kMd5;
  md5.digest = std::string(16, '\x07');
  md5.entry_id = "md5-entry";
  md5.category = "cat";
  entries.push_back(md5);
  HashEntry video;
  video.type = HashType::kVpdq;
  video.entry_id = "video";
  video.source_feed = "feed";
  for (int f = 0; f < 4; ++f) {
    video.frames.push_back({RandomCode(rng), f, f * 0.5});
  }
  entries.push_back(video);
  IndexBuilder builder({});
  auto main = builder.Build(std::move(entries), 10);
  std::vector<HashEntry> adds;
  for (int i = 0; i < 20; ++i) {
    adds.push_back(PdqEntry(RandomCode(rng), "d" + std::to_string(i)));
  }
  auto applied = builder.Apply(**main, std::move(adds),
                               {{"feed", "p3"}, {"feed", "p150"}}, 12);
  EXPECT_TRUE(applied.ok()) << applied.status();
  return *applied;
}

using EntrySet =
    std::set<std::tuple<std::string, std::string, std::string, std::string, int,
                        std::string, std::string>>;

EntrySet Entries(const IndexSnapshot& snapshot) {
  EntrySet out;
  snapshot.ForEachEntry([&](EntryRef, const HashEntry& e) {
    std::string frames;
    for (const VpdqFrame& f : e.frames) {
      frames += f.hash.ToHex() + std::to_string(f.frame_number) + "@" +
                std::to_string(f.seconds) + ";";
    }
    out.insert({e.entry_id, e.bank, e.category, e.source_feed,
                static_cast<int>(e.type),
                e.type == HashType::kPdq ? e.pdq.ToHex() : e.digest, frames});
  });
  return out;
}

// 6000 codes: the main PDQ index is a MultiHashIndex (see NewPdqIndex).
TEST(SnapshotFileTest, RoundTripKeepsEveryEntryAndSearch) {
  const auto original = MixedSnapshot(6000);
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "snapshot_round_trip";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "index.snap").string();
  ASSERT_TRUE(SnapshotFile::Write(*original, path).ok());
  // Writing again replaces the file; no temp file is left behind.
  ASSERT_TRUE(SnapshotFile::Write(*original, path).ok());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);

  auto loaded = SnapshotFile::Read(path, {});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->version(), 12u);
  EXPECT_EQ((*loaded)->size(), original->size());
  EXPECT_EQ((*loaded)->delta_size(), 20);
  EXPECT_EQ((*loaded)->removed_size(), 2);
  EXPECT_EQ(Entries(**loaded), Entries(*original));

  std::mt19937_64 rng(22);
  std::vector<PdqHash> queries;
  original->ForEachEntry([&](EntryRef, const HashEntry& e) {
    if (e.type == HashType::kPdq) queries.push_back(FlipBits(e.pdq, 9, rng));
  });
  auto a = original->SearchPdq(queries, 31);
  auto b = (*loaded)->SearchPdq(queries, 31);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), b->size());
  EXPECT_EQ(a->size(), queries.size());
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ(original->entry((*a)[i].entry).entry_id,
              (*loaded)->entry((*b)[i].entry).entry_id);
  }
  EXPECT_EQ(
      (*loaded)->LookupExact(HashType::kMd5, std::string(16, '\x07'))->size(),
      1u);
  EXPECT_EQ((*loaded)->SearchVideoFrames({RandomCode(rng)}, 31)->size(),
            original->SearchVideoFrames({RandomCode(rng)}, 31)->size());
}

TEST(SnapshotFileTest, EverySingleBitFlipIsDataLoss) {
  auto bytes = SnapshotFile::Serialize(*MixedSnapshot());
  ASSERT_TRUE(bytes.ok());
  ASSERT_TRUE(SnapshotFile::Parse(*bytes).ok());
  for (size_t i = 0; i < bytes->size(); ++i) {
    std::string flipped = *bytes;
    flipped[i] ^= static_cast<char>(1u << (i % 8));
    auto parsed = SnapshotFile::Parse(flipped);
    ASSERT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss)
        << "flip at byte " << i << ": " << parsed.status();
  }
}

TEST(SnapshotFileTest, TruncationAndForeignFilesAreDataLoss) {
  auto bytes = SnapshotFile::Serialize(*MixedSnapshot());
  ASSERT_TRUE(bytes.ok());
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{8}, size_t{40}, size_t{63}, size_t{64},
        size_t{100}, bytes->size() / 2, bytes->size() - 1}) {
    auto parsed = SnapshotFile::Parse(bytes->substr(0, size));
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss)
        << "truncated to " << size;
  }
  auto padded = SnapshotFile::Parse(*bytes + "x");
  EXPECT_EQ(padded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(padded.status().message()), HasSubstr("declares"));
  auto foreign = SnapshotFile::Parse(std::string(1000, 'A'));
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(foreign.status().message()), HasSubstr("magic"));
}

TEST(SnapshotFileTest, ReadRefusesMissingTruncatedAndOversizedFiles) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "snapshot_read";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "index.snap").string();
  EXPECT_EQ(SnapshotFile::Read(path, {}).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(SnapshotFile::Write(*MixedSnapshot(), path).ok());
  const auto size = std::filesystem::file_size(path);
  EXPECT_EQ(
      SnapshotFile::Read(path, {.max_file_bytes = size - 1}).status().code(),
      absl::StatusCode::kResourceExhausted);
  std::filesystem::resize_file(path, size - 10);
  auto truncated = SnapshotFile::Read(path, {});
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(truncated.status().message()),
              HasSubstr("truncated"));
}

}  // namespace
}  // namespace clearmatch
