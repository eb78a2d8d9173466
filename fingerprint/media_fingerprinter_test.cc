// Conformance of the whole image path (sniff, decode, PDQ) with Meta's
// reference pdq-photo-hasher, on tests/testdata/pdq.
#include "fingerprint/media_fingerprinter.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::Md5sumOfFile;
using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::ReadTextFile;
using ::clearmatch::testing::Sha1sumOfFile;
using ::clearmatch::testing::Sha256sumOfFile;
using ::clearmatch::testing::TestdataPath;

struct ReferenceRow {
  PdqHash hash;
  int quality = 0;
  std::string file;
};

std::vector<ReferenceRow> ReadReferenceCsv() {
  std::istringstream in(ReadTextFile(TestdataPath("pdq/reference_hashes.csv")));
  EXPECT_TRUE(in.good());
  std::vector<ReferenceRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cols = absl::StrSplit(line, ',');
    if (cols.size() != 3) continue;
    ReferenceRow row;
    row.hash = *PdqHash::FromHex(cols[0]);
    row.quality = std::stoi(cols[1]);
    row.file = cols[2];
    rows.push_back(row);
  }
  return rows;
}

MediaFingerprint FingerprintFile(const std::string& name, bool dihedral) {
  MediaFingerprinter::Options options;
  options.dihedral = dihedral;
  auto fingerprinter = MediaFingerprinter::Create(options);
  EXPECT_TRUE(fingerprinter.ok());
  const std::vector<uint8_t> bytes = ReadFileBytes(TestdataPath("pdq/" + name));
  auto fp = (*fingerprinter)->Fingerprint(bytes);
  EXPECT_TRUE(fp.ok()) << name << ": " << fp.status();
  return fp.ok() ? *fp : MediaFingerprint{};
}

TEST(PdqConformanceTest, MatchesReferenceHashes) {
  const std::vector<ReferenceRow> rows = ReadReferenceCsv();
  ASSERT_GE(rows.size(), 30u);
  int large_count = 0, large_total = 0;
  for (const ReferenceRow& row : rows) {
    SCOPED_TRACE(row.file);
    const MediaFingerprint fp = FingerprintFile(row.file, false);
    ASSERT_TRUE(fp.pdq.has_value());
    const int distance = fp.pdq->hashes[0].DistanceTo(row.hash);
    // The reference samples images over 512 on a side to 512x512; we decode
    // large JPEGs at reduced size first, so they may differ by a few bits.
    const bool large = fp.width > 512 || fp.height > 512;
    if (large) {
      EXPECT_LE(distance, 8);
      large_total += distance;
      ++large_count;
    } else {
      EXPECT_EQ(distance, 0);
      EXPECT_EQ(fp.pdq->quality, row.quality);
    }
  }
  ASSERT_GT(large_count, 0);
  EXPECT_LE(double(large_total) / large_count, 3.0);
}

TEST(PdqConformanceTest, DihedralVariantsMatchReference) {
  std::istringstream in(
      ReadTextFile(TestdataPath("pdq/reference_dihedral.csv")));
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  std::vector<std::string> cols = absl::StrSplit(line, ',');
  ASSERT_EQ(cols.size(), size_t(kDihedralCount + 2));
  const MediaFingerprint fp = FingerprintFile("bridge-1-original.jpg", true);
  ASSERT_TRUE(fp.pdq.has_value());
  EXPECT_EQ(fp.pdq->quality, std::stoi(cols[kDihedralCount]));
  int total = 0;
  for (int t = 0; t < kDihedralCount; ++t) {
    SCOPED_TRACE(DihedralTransformName(static_cast<DihedralTransform>(t)));
    const int distance =
        fp.pdq->hashes[t].DistanceTo(*PdqHash::FromHex(cols[t]));
    EXPECT_LE(distance, 8);  // a 1600x1004 photo: the large-image bound
    total += distance;
  }
  EXPECT_LE(total / double(kDihedralCount), 3.0);
}

TEST(PdqConformanceTest, DihedralVariantsFindTheTransformedUploads) {
  const MediaFingerprint original =
      FingerprintFile("bridge-1-original.jpg", true);
  const char* kTransformed[kDihedralCount] = {
      "bridge-1-original.jpg",    "bridge-2-rotate-90.jpg",
      "bridge-3-rotate-180.jpg",  "bridge-4-rotate-270.jpg",
      "bridge-5-flipx.jpg",       "bridge-6-flipy.jpg",
      "bridge-7-flip-plus-1.jpg", "bridge-8-flip-minus-1.jpg"};
  for (int t = 0; t < kDihedralCount; ++t) {
    SCOPED_TRACE(kTransformed[t]);
    const MediaFingerprint upload = FingerprintFile(kTransformed[t], false);
    EXPECT_LE(original.pdq->hashes[t].DistanceTo(upload.pdq->hashes[0]),
              PdqHash::kMatchDistance);
    if (t != 0) {
      EXPECT_GT(original.pdq->hashes[0].DistanceTo(upload.pdq->hashes[0]),
                PdqHash::kMatchDistance);
    }
  }
}

// Files the reference tool cannot read (CMYK, grey+alpha, RGBA, 16-bit) and
// the other pixel-mode copies of one photo all hash near original.jpg.
TEST(PdqConformanceTest, PixelModeCopiesLandNearTheOriginal) {
  PdqHash original;
  for (const ReferenceRow& row : ReadReferenceCsv()) {
    if (row.file == "original.jpg") original = row.hash;
  }
  ASSERT_NE(original, PdqHash());
  for (const char* name :
       {"1.png", "L.png", "P.png", "LA.png", "RGBA.png", "CMYK.jpg", "RGB.jpg",
        "YCbCr.jpg", "F.webp", "HSV.webp", "I.webp", "LAB.webp", "PA.webp"}) {
    SCOPED_TRACE(name);
    const MediaFingerprint fp = FingerprintFile(name, false);
    ASSERT_TRUE(fp.pdq.has_value());
    EXPECT_LE(fp.pdq->hashes[0].DistanceTo(original), 16);
    EXPECT_GE(fp.pdq->quality, 50);
  }
}

// Two RGBA PNGs the reference cannot read, of another photo (not a copy of
// original.jpg): they must hash, with full quality.
TEST(PdqConformanceTest, FilesTheReferenceCannotReadStillHash) {
  for (const char* name : {"c-rgba16.png", "pen-and-coaster.png"}) {
    SCOPED_TRACE(name);
    const MediaFingerprint fp = FingerprintFile(name, false);
    ASSERT_TRUE(fp.pdq.has_value());
    EXPECT_NE(fp.pdq->hashes[0], PdqHash());
    EXPECT_GE(fp.pdq->quality, 50);
  }
}

TEST(MediaFingerprinterTest, DigestsAreOfTheWholeFile) {
  // The oracle is the system's md5sum / sha1sum / sha256sum of the file.
  const std::string path = TestdataPath("pdq/wee.jpg");
  const MediaFingerprint fp = FingerprintFile("wee.jpg", false);
  const std::string md5 = Md5sumOfFile(path);
  ASSERT_EQ(md5.size(), 32u) << "md5sum did not run";
  EXPECT_EQ(fp.digests.md5, md5);
  EXPECT_EQ(fp.digests.sha1, Sha1sumOfFile(path));
  EXPECT_EQ(fp.digests.sha256, Sha256sumOfFile(path));
  EXPECT_EQ(fp.format, MediaFormat::kJpeg);
}

TEST(MediaFingerprinterTest, VideosGetVpdqAndNoPdq) {
  auto fingerprinter = MediaFingerprinter::Create({});
  ASSERT_TRUE(fingerprinter.ok());
  const std::vector<uint8_t> bytes =
      ReadFileBytes(TestdataPath("vpdq/chair-19-sd-bar.mp4"));
  auto fp = (*fingerprinter)->Fingerprint(bytes);
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_EQ(fp->format, MediaFormat::kMp4);
  EXPECT_FALSE(fp->pdq.has_value());
  ASSERT_TRUE(fp->vpdq.has_value());
  // One hash per second: frame numbers step by the frame rate.
  ASSERT_GE(fp->vpdq->features.size(), 2u);
  EXPECT_EQ(fp->vpdq->features[0].frame_number, 0);
  EXPECT_NEAR(fp->vpdq->features[1].seconds, 1.0, 1e-9);
  EXPECT_EQ(fp->digests.sha256,
            Sha256sumOfFile(TestdataPath("vpdq/chair-19-sd-bar.mp4")));
}

// A GIF is hashed as an image (its first frame): converted from a reference
// photo by the ffmpeg CLI, its hash lands near the photo's.
TEST(MediaFingerprinterTest, GifIsHashedAsItsFirstFrame) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "clearmatch_fingerprint_gif";
  std::filesystem::create_directories(dir);
  const std::string gif = (dir / "photo.gif").string();
  const std::string command = "ffmpeg -v error -y -i '" +
                              TestdataPath("pdq/q0746.jpg") + "' '" + gif + "'";
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::vector<uint8_t> bytes = ReadFileBytes(gif);
  std::filesystem::remove_all(dir);
  auto fingerprinter = MediaFingerprinter::Create({});
  ASSERT_TRUE(fingerprinter.ok());
  auto fp = (*fingerprinter)->Fingerprint(bytes);
  ASSERT_TRUE(fp.ok()) << fp.status();
  EXPECT_EQ(fp->format, MediaFormat::kGif);
  ASSERT_TRUE(fp->pdq.has_value());
  PdqHash reference;
  for (const ReferenceRow& row : ReadReferenceCsv()) {
    if (row.file == "q0746.jpg") reference = row.hash;
  }
  EXPECT_LE(fp->pdq->hashes[0].DistanceTo(reference), 16);
}

TEST(MediaFingerprinterTest, RefusesUnknownAndOversizedMedia) {
  auto fingerprinter = MediaFingerprinter::Create({});
  ASSERT_TRUE(fingerprinter.ok());
  const std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
  auto unknown = (*fingerprinter)->Fingerprint(text);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unknown.status().message()),
              ::testing::HasSubstr("not an allowed media format"));

  MediaFingerprinter::Options options;
  options.image_limits.max_bytes = 100;
  auto small = MediaFingerprinter::Create(options);
  ASSERT_TRUE(small.ok());
  auto oversized =
      (*small)->Fingerprint(ReadFileBytes(TestdataPath("pdq/wee.jpg")));
  EXPECT_EQ(oversized.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(oversized.status().message()),
              ::testing::HasSubstr("100"));
}

}  // namespace
}  // namespace clearmatch
