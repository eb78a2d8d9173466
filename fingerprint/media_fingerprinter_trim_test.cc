// Border trimming on real photos (tests/testdata/pdq): borders, letterbox
// and pillarbox bars and thin lines added with OpenCV and re-encoded as JPEG
// at quality 75, as a re-upload would be. The trimmed content must hash close
// to the original photo; photos without a border (a dark photo, a plain sky)
// must not be trimmed into.
#include <cstdio>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "fingerprint/media_fingerprinter.h"
#include "gtest/gtest.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::ReadFileBytes;
using ::clearmatch::testing::TestdataPath;

cv::Mat ReadPhoto(const std::string& name) {
  const std::vector<unsigned char> bytes =
      ReadFileBytes(TestdataPath("pdq/" + name));
  cv::Mat mat = cv::imdecode(bytes, cv::IMREAD_COLOR);
  EXPECT_FALSE(mat.empty()) << name;
  return mat;
}

std::vector<uint8_t> Jpeg75(const cv::Mat& image) {
  std::vector<uint8_t> bytes;
  EXPECT_TRUE(
      cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 75}));
  return bytes;
}

MediaFingerprint Fingerprint(const std::vector<uint8_t>& bytes,
                             bool trim = true) {
  MediaFingerprinter::Options options;
  options.trim = trim;
  auto fingerprinter = MediaFingerprinter::Create(options);
  EXPECT_TRUE(fingerprinter.ok());
  absl::StatusOr<MediaFingerprint> fp = (*fingerprinter)->Fingerprint(bytes);
  EXPECT_TRUE(fp.ok()) << fp.status();
  return fp.ok() ? *fp : MediaFingerprint{};
}

// A border of `colour` (BGR) with widths as fractions of the photo's sides.
struct BorderEdit {
  const char* name;
  double top, bottom, left, right;
  cv::Scalar colour;
};

cv::Mat AddBorder(const cv::Mat& photo, const BorderEdit& edit) {
  cv::Mat out;
  cv::copyMakeBorder(photo, out, int(edit.top * photo.rows),
                     int(edit.bottom * photo.rows), int(edit.left * photo.cols),
                     int(edit.right * photo.cols), cv::BORDER_CONSTANT,
                     edit.colour);
  return out;
}

// A black letterbox bar with a thin white line and a grey band inside it.
cv::Mat AddLinedBars(const cv::Mat& photo) {
  cv::Mat out = photo;
  const cv::Scalar black(0, 0, 0), white(255, 255, 255), grey(90, 90, 90);
  cv::copyMakeBorder(out, out, 6, 6, 0, 0, cv::BORDER_CONSTANT, grey);
  cv::copyMakeBorder(out, out, 3, 3, 0, 0, cv::BORDER_CONSTANT, white);
  cv::copyMakeBorder(out, out, 40, 40, 0, 0, cv::BORDER_CONSTANT, black);
  return out;
}

// Photos without a border of their own. (A border right next to a plain sky
// is APlainSkyIsNotTrimmedInto's.)
const char* const kPhotos[] = {"bridge-1-original.jpg", "q2821.jpg",
                               "exif-rotn-1.jpg"};

const BorderEdit kEdits[] = {
    {"black 5%", 0.05, 0.05, 0.05, 0.05, {0, 0, 0}},
    {"white 10%", 0.10, 0.10, 0.10, 0.10, {255, 255, 255}},
    {"blue asymmetric", 0.08, 0.02, 0.0, 0.12, {200, 120, 30}},
    {"letterbox", 0.125, 0.125, 0.0, 0.0, {0, 0, 0}},
    {"pillarbox grey", 0.0, 0.0, 0.15, 0.15, {128, 128, 128}},
    {"left red 3%", 0.0, 0.0, 0.03, 0.0, {30, 30, 220}},
};

TEST(MediaFingerprinterTrimTest, BorderedPhotosHashLikeTheirOriginals) {
  for (const char* name : kPhotos) {
    const cv::Mat photo = ReadPhoto(name);
    const MediaFingerprint original =
        Fingerprint(ReadFileBytes(TestdataPath(std::string("pdq/") + name)));
    ASSERT_TRUE(original.pdq.has_value());
    std::vector<cv::Mat> edited;
    std::vector<std::string> labels;
    for (const BorderEdit& edit : kEdits) {
      edited.push_back(AddBorder(photo, edit));
      labels.push_back(edit.name);
    }
    edited.push_back(AddLinedBars(photo));
    labels.push_back("bars with lines");
    for (size_t i = 0; i < edited.size(); ++i) {
      SCOPED_TRACE(std::string(name) + ", " + labels[i]);
      const MediaFingerprint fp = Fingerprint(Jpeg75(edited[i]));
      ASSERT_TRUE(fp.trimmed_pdq.has_value());
      ASSERT_TRUE(fp.content_rect.has_value());
      const int bordered =
          fp.pdq->hashes[0].DistanceTo(original.pdq->hashes[0]);
      const int trimmed =
          fp.trimmed_pdq->hashes[0].DistanceTo(original.pdq->hashes[0]);
      // The distances, for the record (docs/MATCH_QUALITY.md has the set).
      std::printf("%-22s %-16s bordered %3d trimmed %3d\n", name,
                  labels[i].c_str(), bordered, trimmed);
      EXPECT_LE(trimmed, 31);
      // The rectangle is the photo, within a JPEG block on each side.
      EXPECT_NEAR(fp.content_rect->width, photo.cols, 16);
      EXPECT_NEAR(fp.content_rect->height, photo.rows, 16);
    }
  }
}

TEST(MediaFingerprinterTrimTest, PhotosWithoutABorderAreNotTrimmed) {
  // q0003 and q0004: a plain blue and a plain grey sky, edge to edge.
  for (const char* name : {"bridge-1-original.jpg", "q2821.jpg",
                           "exif-rotn-1.jpg", "q0003.jpg", "q0004.jpg"}) {
    SCOPED_TRACE(name);
    const MediaFingerprint fp =
        Fingerprint(ReadFileBytes(TestdataPath(std::string("pdq/") + name)));
    EXPECT_FALSE(fp.content_rect.has_value());
    EXPECT_FALSE(fp.trimmed_pdq.has_value());
    EXPECT_FALSE(fp.alternative_pdq.has_value());
  }
}

TEST(MediaFingerprinterTrimTest, ADarkPhotoIsNotABorder) {
  // The bridge photo at a fifth of its brightness: large areas of near-black
  // at the edges, which must not be taken for a border.
  for (const char* name : {"bridge-1-original.jpg", "q2821.jpg"}) {
    SCOPED_TRACE(name);
    cv::Mat dark;
    ReadPhoto(name).convertTo(dark, -1, 0.2, 0);
    const MediaFingerprint fp = Fingerprint(Jpeg75(dark));
    // At most the outermost JPEG-smoothed lines (2 of 256) go.
    if (fp.content_rect) {
      EXPECT_GE(fp.content_rect->width, dark.cols * 98 / 100);
      EXPECT_GE(fp.content_rect->height, dark.rows * 98 / 100);
    }
  }
}

TEST(MediaFingerprinterTrimTest, APlainSkyIsNotTrimmedInto) {
  // q0122: a clear sky over the sea, its top third a smooth gradient of
  // uniform rows. Only the file's own 2-pixel dark line at the top goes.
  const cv::Mat sky = ReadPhoto("q0122.jpg");
  const MediaFingerprint plain = Fingerprint(Jpeg75(sky));
  if (plain.content_rect) {
    EXPECT_LE(plain.content_rect->y, 3);
    EXPECT_GE(plain.content_rect->height, sky.rows - 3);
  }
  // With a border, the border goes and the sky stays.
  for (const cv::Scalar& colour :
       {cv::Scalar(0, 0, 0), cv::Scalar(255, 255, 255)}) {
    const cv::Mat framed = AddBorder(sky, {"", 0.1, 0.1, 0.1, 0.1, colour});
    const MediaFingerprint fp = Fingerprint(Jpeg75(framed));
    ASSERT_TRUE(fp.content_rect.has_value());
    const int border = int(0.1 * sky.rows);
    EXPECT_GE(fp.content_rect->y, border - 1);
    EXPECT_LE(fp.content_rect->y, border + 3);
    EXPECT_NEAR(fp.content_rect->height, sky.rows, 8);
  }
}

TEST(MediaFingerprinterTrimTest, APhotoWithABorderOfItsOwn) {
  // q0291 came with a grey frame (11 columns on the left, 7 rows at the
  // bottom): trimmed; a border added around it is trimmed to its step, the
  // photo with its own frame (the banked original), not beyond.
  const std::vector<unsigned char> file =
      ReadFileBytes(TestdataPath("pdq/q0291.jpg"));
  const MediaFingerprint own = Fingerprint(file);
  ASSERT_TRUE(own.content_rect.has_value());
  EXPECT_NEAR(own.content_rect->x, 11, 2);
  EXPECT_NEAR(own.content_rect->height, 249, 2);
  const cv::Mat framed =
      AddBorder(ReadPhoto("q0291.jpg"), {"", 0.1, 0.1, 0.1, 0.1, {0, 0, 0}});
  const MediaFingerprint fp = Fingerprint(Jpeg75(framed));
  ASSERT_TRUE(fp.trimmed_pdq.has_value());
  ASSERT_TRUE(fp.content_rect.has_value());
  EXPECT_NEAR(fp.content_rect->width, 256, 4);
  EXPECT_NEAR(fp.content_rect->height, 256, 4);
  EXPECT_LE(fp.trimmed_pdq->hashes[0].DistanceTo(own.pdq->hashes[0]), 31);
}

TEST(MediaFingerprinterTrimTest, BarsAroundAPhotoWithAStripOfItsOwn) {
  // q0291 (a grey frame of its own on two sides) and q1050 (a strip along
  // its right side) in letterbox or pillarbox bars: the first reading trims
  // the photo's own strip with the bars, as it does on the photo alone;
  // the second keeps it (the bars' colour only), the whole photo the bank
  // has the hash of.
  for (const char* name : {"q0291.jpg", "q1050.jpg"}) {
    const MediaFingerprint original =
        Fingerprint(ReadFileBytes(TestdataPath(std::string("pdq/") + name)));
    const cv::Mat photo = ReadPhoto(name);
    for (const BorderEdit& bars :
         {BorderEdit{"letterbox", 1.0 / 6, 1.0 / 6, 0, 0, {0, 0, 0}},
          BorderEdit{"pillarbox", 0, 0, 0.125, 0.125, {30, 30, 30}}}) {
      SCOPED_TRACE(std::string(name) + ", " + bars.name);
      const MediaFingerprint fp = Fingerprint(Jpeg75(AddBorder(photo, bars)));
      ASSERT_TRUE(fp.trimmed_pdq.has_value() && fp.content_rect.has_value());
      EXPECT_GT(fp.trimmed_pdq->hashes[0].DistanceTo(original.pdq->hashes[0]),
                31);
      ASSERT_TRUE(fp.alternative_pdq.has_value());
      ASSERT_TRUE(fp.alternative_rect.has_value());
      EXPECT_LE(
          fp.alternative_pdq->hashes[0].DistanceTo(original.pdq->hashes[0]),
          31);
      EXPECT_NEAR(fp.alternative_rect->width, photo.cols, 2);
      EXPECT_NEAR(fp.alternative_rect->height, photo.rows, 2);
    }
  }
}

TEST(MediaFingerprinterTrimTest, TrimmedVariantsFollowDihedral) {
  const cv::Mat framed =
      AddBorder(ReadPhoto("bridge-1-original.jpg"),
                {"white", 0.1, 0.1, 0.1, 0.1, {255, 255, 255}});
  MediaFingerprinter::Options options;
  options.trim = true;
  options.dihedral = true;
  auto fingerprinter = MediaFingerprinter::Create(options);
  ASSERT_TRUE(fingerprinter.ok());
  absl::StatusOr<MediaFingerprint> fp =
      (*fingerprinter)->Fingerprint(Jpeg75(framed));
  ASSERT_TRUE(fp.ok()) << fp.status();
  ASSERT_TRUE(fp->trimmed_pdq.has_value());
  // Each variant differs from the trimmed original (they are rotations).
  for (int i = 1; i < kDihedralCount; ++i) {
    EXPECT_GT(fp->trimmed_pdq->hashes[i].DistanceTo(fp->trimmed_pdq->hashes[0]),
              31)
        << i;
  }
}

TEST(MediaFingerprinterTrimTest, TrimOffHashesTheImageOnly) {
  const cv::Mat framed = AddBorder(ReadPhoto("q2821.jpg"),
                                   {"black", 0.1, 0.1, 0.1, 0.1, {0, 0, 0}});
  const MediaFingerprint fp = Fingerprint(Jpeg75(framed), /*trim=*/false);
  ASSERT_TRUE(fp.pdq.has_value());
  EXPECT_FALSE(fp.trimmed_pdq.has_value());
  EXPECT_FALSE(fp.content_rect.has_value());
}

}  // namespace
}  // namespace clearmatch
