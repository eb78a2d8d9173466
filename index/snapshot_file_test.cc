// SnapshotFile: round trip of every layer, and every single-bit flip and
// truncation is refused with DATA_LOSS.
#include "index/snapshot_file.h"

#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <tuple>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hashing/file_digests.h"
#include "index/index_builder.h"
#include "testing/pdq_codes.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::FlipBits;
using ::clearmatch::testing::PdqEntry;
using ::clearmatch::testing::RandomCode;
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
  snapshot.ForEachEntry([&](EntryRef, const EntryView& e) {
    std::string frames;
    for (const VpdqFrame& f : e.frames) {
      frames += f.hash.ToHex() + std::to_string(f.frame_number) + "@" +
                std::to_string(f.seconds) + ";";
    }
    out.insert(
        {std::string(e.entry_id), std::string(e.bank), std::string(e.category),
         std::string(e.source_feed), static_cast<int>(e.type),
         e.type == HashType::kPdq ? e.pdq.ToHex() : std::string(e.digest),
         frames});
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
  original->ForEachEntry([&](EntryRef, const EntryView& e) {
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

TEST(SnapshotFileTest, TheFileIsOwnerOnlyWhateverTheUmask) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "snapshot_mode";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "index.snap").string();
  const mode_t old = ::umask(0);
  const absl::Status written = SnapshotFile::Write(*MixedSnapshot(10), path);
  ::umask(old);
  ASSERT_TRUE(written.ok()) << written;
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
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

namespace layout = snapshot_file_internal;

template <typename T>
T Load(const std::string& bytes, size_t index) {
  T value;
  std::memcpy(&value, bytes.data() + index * sizeof(T), sizeof(T));
  return value;
}

template <typename T>
void Store(std::string& bytes, size_t index, T value) {
  std::memcpy(bytes.data() + index * sizeof(T), &value, sizeof(T));
}

// `file` with section `tag` changed by `edit` and a correct checksum, so
// that only the checks after the checksum can refuse it.
std::string EditSection(const std::string& file, uint32_t tag,
                        const std::function<void(std::string&)>& edit) {
  size_t pos = layout::kHeaderBytes;
  while (pos + layout::kSectionHeaderBytes <= file.size()) {
    uint32_t section_tag;
    uint64_t size;
    std::memcpy(&section_tag, file.data() + pos, sizeof(section_tag));
    std::memcpy(&size, file.data() + pos + 8, sizeof(size));
    const size_t body = pos + layout::kSectionHeaderBytes;
    if (section_tag != tag) {
      pos = body + size;
      continue;
    }
    std::string bytes = file.substr(body, size);
    edit(bytes);
    std::string out = file.substr(0, pos + 8);
    const uint64_t new_size = bytes.size();
    out.append(reinterpret_cast<const char*>(&new_size), sizeof(new_size));
    out += bytes;
    out += file.substr(body + size);
    const uint64_t length = out.size();
    std::memcpy(out.data() + 56, &length, sizeof(length));
    const std::string checksum =
        absl::HexStringToBytes(Sha256Hex(absl::string_view(out).substr(40)));
    out.replace(8, checksum.size(), checksum);
    return out;
  }
  ADD_FAILURE() << "no section " << tag;
  return file;
}

// A file image whose checksum is right but whose content is inconsistent is
// DATA_LOSS naming the problem, for every kind of column inconsistency.
TEST(SnapshotFileTest, InconsistentColumnsUnderAValidChecksumAreDataLoss) {
  auto file = SnapshotFile::Serialize(*MixedSnapshot());
  ASSERT_TRUE(file.ok());
  const auto main = [](layout::LayerSection section) {
    return layout::LayerSectionTag(0, section);
  };
  // The edit helper itself keeps a good file good.
  auto same = SnapshotFile::Parse(
      EditSection(*file, main(layout::kIdChars), [](std::string&) {}));
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ((*same)->size(), MixedSnapshot()->size());

  struct Case {
    const char* what;
    uint32_t tag;
    std::function<void(std::string&)> edit;
    const char* message;
  };
  const Case cases[] = {
      {"id offset past its buffer", main(layout::kIdOffsets),
       [](std::string& b) {
         const size_t last = b.size() / 8 - 1;
         Store(b, last, Load<uint64_t>(b, last) + 1);
       },
       "entry id offsets"},
      {"id offsets out of order", main(layout::kIdOffsets),
       [](std::string& b) { Store(b, 5, Load<uint64_t>(b, 3)); }, "entry id 4"},
      {"id offsets missing one", main(layout::kIdOffsets),
       [](std::string& b) { b.resize(b.size() - 8); }, "id offsets"},
      {"bank id outside the string table", main(layout::kLabels),
       [](std::string& b) { Store(b, 0, uint32_t{1000}); }, "string ids"},
      {"labels not whole", main(layout::kLabels),
       [](std::string& b) { b.push_back('\0'); }, "multiple"},
      {"unknown type", main(layout::kTypes), [](std::string& b) { b[0] = 9; },
       "unknown hash type"},
      {"a PDQ entry made MD5", main(layout::kTypes),
       [](std::string& b) { b[0] = 1; }, "digest bytes"},
      {"a type missing", main(layout::kTypes),
       [](std::string& b) { b.pop_back(); }, "entries but"},
      {"an MD5 digest cut short", main(layout::kMd5Digests),
       [](std::string& b) { b.pop_back(); }, "digest bytes"},
      {"a video without frames", main(layout::kFrameOffsets),
       [](std::string& b) { Store(b, 1, uint32_t{0}); }, "offsets"},
      {"no string table", main(layout::kStringOffsets),
       [](std::string& b) { b.clear(); }, "string offsets"},
      {"string offset past its buffer", main(layout::kStringOffsets),
       [](std::string& b) { Store(b, 1, uint64_t{1} << 40); }, "string"},
      {"frames not whole", main(layout::kFrames),
       [](std::string& b) { b.pop_back(); }, "frames"},
      {"a delta id past its buffer",
       layout::LayerSectionTag(1, layout::kIdOffsets),
       [](std::string& b) { Store(b, 1, uint64_t{1} << 40); }, "entry id"},
      {"a removed entry outside the main layer", layout::kRemovedTag,
       [](std::string& b) { Store(b, 2, uint32_t{1} << 30); }, "outside"},
  };
  for (const Case& c : cases) {
    auto parsed = SnapshotFile::Parse(EditSection(*file, c.tag, c.edit));
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss)
        << c.what << ": " << parsed.status();
    EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(c.message))
        << c.what;
  }
}

// Files of format version 1 (entries row by row) and of unknown versions
// are refused as such, even with a valid checksum.
TEST(SnapshotFileTest, OtherFormatVersionsAreFailedPrecondition) {
  auto file = SnapshotFile::Serialize(*MixedSnapshot());
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(Load<uint32_t>(*file, 10), layout::kFormatVersion);  // byte 40
  for (uint32_t version : {1u, 3u, 0xffffffffu}) {
    std::string other = *file;
    Store(other, 10, version);
    const std::string checksum =
        absl::HexStringToBytes(Sha256Hex(absl::string_view(other).substr(40)));
    other.replace(8, checksum.size(), checksum);
    auto parsed = SnapshotFile::Parse(other);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kFailedPrecondition)
        << version << ": " << parsed.status();
    EXPECT_THAT(std::string(parsed.status().message()),
                HasSubstr("format version " + std::to_string(version)));
  }
}

// Read hashes the file in 4 MiB chunks as it reads: a file of several
// chunks loads, and a flip in any chunk is still DATA_LOSS.
TEST(SnapshotFileTest, ReadVerifiesEveryChunkOfALargeFile) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "snapshot_chunks";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "index.snap").string();
  const auto snapshot = MixedSnapshot(60000);
  ASSERT_TRUE(SnapshotFile::Write(*snapshot, path).ok());
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 2 * (size_t{4} << 20));
  auto loaded = SnapshotFile::Read(path, {});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(Entries(**loaded), Entries(*snapshot));

  for (size_t offset : {size_t{100}, (size_t{4} << 20) + 7, size - 1}) {
    std::string bytes;
    {
      std::ifstream in(path, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    bytes[offset] ^= 0x10;
    const std::string flipped = (dir / "flipped.snap").string();
    std::ofstream(flipped, std::ios::binary) << bytes;
    EXPECT_EQ(SnapshotFile::Read(flipped, {}).status().code(),
              absl::StatusCode::kDataLoss)
        << "flip at " << offset;
  }
}

}  // namespace
}  // namespace clearmatch
