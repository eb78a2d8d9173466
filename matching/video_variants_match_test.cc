// Mirrored, rotated and letterboxed copies of real videos (docs/DAEMON.md,
// "Videos"): testdata videos re-encoded by the ffmpeg CLI at test time in a
// TempDir, hashed by the MediaFingerprinter as a Check hashes them (dihedral
// and trim on), and matched by the Matcher against the banked original's
// vPDQ entry and a banked image of one of its frames.
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fingerprint/media_fingerprinter.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "index/index_builder.h"
#include "matching/matcher.h"
#include "matching/query.h"
#include "testing/pdq_codes.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::TempDir;
using ::clearmatch::testing::TestdataPath;
using ::testing::IsEmpty;

// "upright" counts no rotations or mirrors.
constexpr char kPolicies[] = R"(
  banks { bank: "upright" policy { dihedral: false } }
)";

MediaFingerprint Fingerprint(const std::string& path) {
  MediaFingerprinter::Options options;
  options.dihedral = true;
  options.trim = true;
  auto fingerprinter = MediaFingerprinter::Create(options);
  EXPECT_TRUE(fingerprinter.ok()) << fingerprinter.status();
  const std::vector<unsigned char> bytes = testing::ReadFileBytes(path);
  absl::StatusOr<MediaFingerprint> fp = (*fingerprinter)->Fingerprint(bytes);
  EXPECT_TRUE(fp.ok() && fp->vpdq.has_value()) << path << ": " << fp.status();
  return fp.ok() ? *std::move(fp) : MediaFingerprint{};
}

class VideoVariantsMatchTest : public ::testing::Test {
 protected:
  static std::string Testdata(const std::string& name) {
    return TestdataPath("vpdq/" + name + ".mp4");
  }

  // `source` re-encoded through the ffmpeg filter `filter`.
  std::string Edited(const std::string& source, const std::string& filter) {
    const std::string out = dir_.File(std::to_string(++count_) + ".mp4");
    const std::string command =
        "ffmpeg -v error -nostdin -y -i '" + Testdata(source) + "' -an -vf '" +
        filter + "' -c:v libx264 -preset ultrafast '" + out + "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return out;
  }

  // The matches of the video at `path` against `source` banked as a vPDQ
  // entry in "main" and in "upright", and its frame at 1 s as an image in
  // "images".
  std::vector<v1::Match> Matches(const std::string& path,
                                 const std::string& source) {
    const MediaFingerprint original = Fingerprint(Testdata(source));
    const std::vector<VpdqFeature>& banked = original.vpdq->features;
    std::vector<HashEntry> entries = {
        testing::VpdqEntry(banked, "video", "main"),
        testing::VpdqEntry(banked, "video", "upright"),
        testing::PdqEntry(banked.at(1).hash, "frame", "images")};
    absl::StatusOr<std::shared_ptr<const IndexSnapshot>> snapshot =
        IndexBuilder(IndexBuilder::Options{}).Build(std::move(entries), 1);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    if (!snapshot.ok()) return {};
    v1::DaemonConfig config;
    EXPECT_TRUE(
        google::protobuf::TextFormat::ParseFromString(kPolicies, &config));
    absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create(config);
    EXPECT_TRUE(policy.ok()) << policy.status();
    absl::StatusOr<std::vector<v1::Match>> matches =
        Matcher(*policy).FindMatches(
            **snapshot, Query::FromFingerprint(Fingerprint(path), true),
            Matcher::Options{});
    EXPECT_TRUE(matches.ok()) << matches.status();
    return matches.ok() ? *matches : std::vector<v1::Match>{};
  }

  // bank -> transform of its match ("" when it has none).
  static std::map<std::string, std::string> Transforms(
      const std::vector<v1::Match>& matches) {
    std::map<std::string, std::string> out;
    for (const v1::Match& m : matches) {
      EXPECT_EQ(m.decision(), v1::BLOCK) << m.bank();
      out[m.bank()] = m.transform();
    }
    return out;
  }

  TempDir dir_{"clearmatch-video-variants"};
  int count_ = 0;
};

using Banks = std::map<std::string, std::string>;

TEST_F(VideoVariantsMatchTest, OriginalsMatchAsBefore) {
  const std::vector<v1::Match> matches =
      Matches(Testdata("doorknob-hd-no-bar"), "doorknob-hd-no-bar");
  EXPECT_EQ(Transforms(matches), (Banks{{"images", "original"},
                                        {"main", "original"},
                                        {"upright", "original"}}));
  for (const v1::Match& m : matches) {
    if (m.hash_type() != "vpdq") continue;
    EXPECT_TRUE(m.reference_rule_match());
    EXPECT_EQ(m.query_pct(), 100);
  }
}

TEST_F(VideoVariantsMatchTest, MirroredAndRotatedCopiesMatchWithTheirVariant) {
  // PDQ's names are of the variant that undoes the edit: flipy mirrors left
  // to right; rot90 turns counter-clockwise, undoing ffmpeg's transpose=1
  // (a clockwise turn), as for images (hashing/pdq_hasher_test.cc).
  const struct {
    const char* filter;
    const char* transform;
  } cases[] = {{"hflip", "flipy"},
               {"vflip", "flipx"},
               {"transpose=1", "rot90"},
               {"transpose=0", "flipplus1"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.filter);
    const std::vector<v1::Match> matches =
        Matches(Edited("doorknob-hd-no-bar", c.filter), "doorknob-hd-no-bar");
    // The upright bank counts no variant.
    EXPECT_EQ(Transforms(matches),
              (Banks{{"images", c.transform}, {"main", c.transform}}));
    for (const v1::Match& m : matches) {
      if (m.hash_type() == "pdq") {
        // Where the banked frame appears in the copy: around 1 s.
        ASSERT_GE(m.query_ranges_size(), 1);
        EXPECT_LE(m.query_ranges(0).start_seconds(), 1.0);
        EXPECT_GE(m.query_ranges(0).end_seconds(), 1.0);
      } else {
        EXPECT_TRUE(m.reference_rule_match());
        EXPECT_GE(m.query_pct(), 80);
      }
    }
  }
}

TEST_F(VideoVariantsMatchTest, LetterboxedAndPillarboxedCopiesMatchTrimmed) {
  const struct {
    const char* filter;
    const char* transform;
  } cases[] = {{"pad=iw:ih+240:0:120:black", "trimmed"},
               {"pad=iw+400:ih:200:0:0x2050a0", "trimmed"},
               {"hflip,pad=iw:ih+240:0:120:black", "trimmed+flipy"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.filter);
    const std::vector<v1::Match> matches =
        Matches(Edited("pattern-hd-no-bar", c.filter), "pattern-hd-no-bar");
    const bool mirrored = std::string(c.transform) != "trimmed";
    Banks expected = {{"images", c.transform}, {"main", c.transform}};
    if (!mirrored) expected["upright"] = c.transform;
    EXPECT_EQ(Transforms(matches), expected);
  }
}

TEST_F(VideoVariantsMatchTest, UnrelatedVideosStayUnmatched) {
  EXPECT_THAT(Matches(Edited("chair-19-sd-bar", "hflip"), "doorknob-hd-no-bar"),
              IsEmpty());
  EXPECT_THAT(Matches(Testdata("test-padded-dimensions"), "pattern-hd-no-bar"),
              IsEmpty());
}

}  // namespace
}  // namespace clearmatch
