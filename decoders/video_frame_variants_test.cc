// The sampler's frame variants: the 7 rotations and mirrors of each sampled
// frame (from its one DCT) and the frame with letterbox / pillarbox bars
// trimmed. Real testdata videos are re-encoded by the ffmpeg CLI (flipped,
// transposed, padded) into a temp dir; the variants of the original must
// match the edited copies' frames, and the frames as decoded must stay
// exactly what they are without variants.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "decoders/video_frame_sampler.h"
#include "gtest/gtest.h"
#include "hashing/vpdq_matcher.h"
#include "testing/temp_dir.h"
#include "testing/testdata.h"

namespace clearmatch {
namespace {

using Conversion = VideoFrameSampler::FrameConversion;

// A door and a wall: far from its own mirror images.
constexpr char kSource[] = "vpdq/doorknob-hd-no-bar.mp4";
// Texture up to every edge (the door's plain wall could pass for a bar).
constexpr char kTrimSource[] = "vpdq/pattern-hd-no-bar.mp4";

std::vector<uint8_t> Bytes(const std::string& path) {
  std::vector<unsigned char> bytes = testing::ReadFileBytes(path);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

VpdqVideoHash HashVideo(const std::vector<uint8_t>& bytes,
                        VideoFrameSampler::Options options) {
  absl::StatusOr<std::unique_ptr<VideoFrameSampler>> sampler =
      VideoFrameSampler::Create(options);
  EXPECT_TRUE(sampler.ok()) << sampler.status();
  if (!sampler.ok()) return {};
  absl::StatusOr<VpdqVideoHash> video = (*sampler)->Hash(bytes);
  EXPECT_TRUE(video.ok()) << video.status();
  return video.ok() ? *std::move(video) : VpdqVideoHash{};
}

const VpdqFrameVariant* FindVariant(const VpdqVideoHash& video,
                                    DihedralTransform transform, bool trimmed) {
  for (const VpdqFrameVariant& v : video.variants) {
    if (v.transform == transform && v.trimmed == trimmed) return &v;
  }
  return nullptr;
}

// Percent of the edited copy's frames found in `frames`.
double QueryPct(const std::vector<VpdqFeature>& edited,
                const std::vector<VpdqFeature>& frames) {
  return MatchVpdq(edited, frames, VpdqMatchOptions{}).query_pct;
}

class VideoFrameVariantsTest : public ::testing::Test {
 protected:
  // The first 3 s of the source re-encoded through `filter` (H.264).
  std::vector<uint8_t> Edited(const std::string& name,
                              const std::string& filter,
                              const char* source = kSource) const {
    const std::string out = dir_.File(name + ".mp4");
    const std::string command =
        "ffmpeg -nostdin -v fatal -y -i '" + testing::TestdataPath(source) +
        "' -t 3 -an -vf '" + filter +
        "' -c:v libx264 -preset ultrafast -crf 18 -pix_fmt yuv420p '" + out +
        "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return Bytes(out);
  }

  const testing::TempDir dir_{"clearmatch-video-variants"};
};

TEST_F(VideoFrameVariantsTest, VariantsLeaveTheFramesAsTheyAre) {
  const std::vector<uint8_t> source = Bytes(testing::TestdataPath(kSource));
  for (Conversion conversion :
       {Conversion::kRgb24Area, Conversion::kLumaPlane}) {
    const VpdqVideoHash plain = HashVideo(source, {.conversion = conversion});
    EXPECT_TRUE(plain.variants.empty());
    const VpdqVideoHash with = HashVideo(
        source, {.conversion = conversion, .dihedral = true, .trim = true});
    EXPECT_EQ(with.features, plain.features);
    // No bars in this video: the 7 dihedral variants only.
    EXPECT_EQ(with.trimmed_frames, 0);
    ASSERT_EQ(with.variants.size(), 7u);
    for (int t = 1; t < kDihedralCount; ++t) {
      const VpdqFrameVariant& v = with.variants[t - 1];
      EXPECT_EQ(v.transform, static_cast<DihedralTransform>(t));
      EXPECT_FALSE(v.trimmed);
      ASSERT_EQ(v.features.size(), plain.features.size());
      for (size_t i = 0; i < v.features.size(); ++i) {
        EXPECT_EQ(v.features[i].frame_number, plain.features[i].frame_number);
        EXPECT_EQ(v.features[i].seconds, plain.features[i].seconds);
        EXPECT_EQ(v.features[i].quality, plain.features[i].quality);
        EXPECT_GT(v.features[i].hash.DistanceTo(plain.features[i].hash), 31);
      }
    }
  }
}

TEST_F(VideoFrameVariantsTest, BarsOfATestdataVideoAreTrimmedBesideItsHash) {
  // A pillarbox bar on the right of every frame.
  const std::vector<uint8_t> bytes =
      Bytes(testing::TestdataPath("vpdq/chair-22-with-large-logo-bar.mp4"));
  const VpdqVideoHash plain = HashVideo(bytes, {});
  const VpdqVideoHash trimmed = HashVideo(bytes, {.trim = true});
  EXPECT_EQ(trimmed.features, plain.features);
  EXPECT_GT(trimmed.trimmed_frames,
            static_cast<int64_t>(plain.features.size()) / 2);
  ASSERT_EQ(trimmed.variants.size(), 1u);
  EXPECT_TRUE(trimmed.variants[0].trimmed);
  int changed = 0;
  for (size_t i = 0; i < plain.features.size(); ++i) {
    changed += trimmed.variants[0].features[i].hash != plain.features[i].hash;
  }
  EXPECT_EQ(changed, trimmed.trimmed_frames);
}

TEST_F(VideoFrameVariantsTest, MirroredAndTransposedCopiesMatchTheirVariant) {
  const VpdqVideoHash original =
      HashVideo(Bytes(testing::TestdataPath(kSource)), {.dihedral = true});
  const struct {
    const char* filter;
    DihedralTransform transform;
  } cases[] = {// PDQ's names: flipx mirrors across the x axis (top to
               // bottom), rot90 turns counter-clockwise.
               {"hflip", DihedralTransform::kFlipY},
               {"vflip", DihedralTransform::kFlipX},
               {"hflip,vflip", DihedralTransform::kRotate180},
               {"transpose=0", DihedralTransform::kFlipPlus1},
               {"transpose=3", DihedralTransform::kFlipMinus1},
               {"transpose=1", DihedralTransform::kRotate270},
               {"transpose=2", DihedralTransform::kRotate90}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.filter);
    const VpdqVideoHash edited = HashVideo(
        Edited(std::string(DihedralTransformName(c.transform)), c.filter), {});
    ASSERT_GE(edited.features.size(), 3u);
    const VpdqFrameVariant* variant = FindVariant(original, c.transform, false);
    ASSERT_NE(variant, nullptr);
    EXPECT_GE(QueryPct(edited.features, variant->features), 99.0);
    // The frames as decoded do not match the edit, nor does another variant.
    EXPECT_LT(QueryPct(edited.features, original.features), 50.0);
    for (const VpdqFrameVariant& other : original.variants) {
      if (&other == variant) continue;
      EXPECT_LT(QueryPct(edited.features, other.features), 50.0)
          << DihedralTransformName(other.transform);
    }
  }
}

TEST_F(VideoFrameVariantsTest, LetterboxedAndPillarboxedCopiesMatchTrimmed) {
  const VpdqVideoHash original =
      HashVideo(Bytes(testing::TestdataPath(kTrimSource)), {});
  const struct {
    const char* name;
    const char* filter;
    bool both_axes;
  } cases[] = {
      {"letterbox-black", "pad=iw:ih+180:0:90:black", false},
      {"letterbox-asymmetric", "pad=iw:ih+200:0:40:black", false},
      {"pillarbox-blue", "pad=iw+320:ih:160:0:0x2050a0", false},
      {"windowbox-grey", "pad=iw+200:ih+120:100:60:0x808080", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::vector<uint8_t> bytes = Edited(c.name, c.filter, kTrimSource);
    for (Conversion conversion :
         {Conversion::kRgb24Area, Conversion::kLumaPlane}) {
      const VpdqVideoHash edited =
          HashVideo(bytes, {.conversion = conversion, .trim = true});
      ASSERT_GE(edited.features.size(), 3u);
      EXPECT_EQ(edited.trimmed_frames,
                static_cast<int64_t>(edited.features.size()));
      // Bars on both axes: each axis's bars alone are two more readings.
      ASSERT_EQ(edited.variants.size(), c.both_axes ? 3u : 1u);
      for (const VpdqFrameVariant& v : edited.variants) {
        EXPECT_TRUE(v.trimmed);
        EXPECT_EQ(v.transform, DihedralTransform::kOriginal);
      }
      const VpdqFrameVariant& trimmed = edited.variants[0];
      EXPECT_GE(QueryPct(trimmed.features, original.features), 99.0);
      EXPECT_LT(QueryPct(edited.features, original.features), 50.0);
      for (size_t i = 1; i < edited.variants.size(); ++i) {
        EXPECT_LT(QueryPct(edited.variants[i].features, original.features),
                  50.0);  // half the bars left on
      }
    }
  }
}

TEST_F(VideoFrameVariantsTest, APillarboxedVideoInLetterboxBarsKeepsItsOwn) {
  // The video's own bar on the right, black bars added above and below: the
  // content rectangle drops both, a later reading only the added ones, which
  // gives the frames as the reference hashes them without the edit.
  const char* source = "vpdq/chair-22-with-large-logo-bar.mp4";
  const VpdqVideoHash original =
      HashVideo(Bytes(testing::TestdataPath(source)), {});
  const VpdqVideoHash edited =
      HashVideo(Edited("letterboxed-pillars",
                       "pad=iw:trunc(ih*4/3/2)*2:0:(oh-ih)/2:black", source),
                {.trim = true});
  ASSERT_GE(edited.variants.size(), 2u);
  EXPECT_LT(QueryPct(edited.features, original.features), 50.0);
  EXPECT_LT(QueryPct(edited.variants[0].features, original.features), 50.0);
  double best = 0;
  for (const VpdqFrameVariant& v : edited.variants) {
    EXPECT_TRUE(v.trimmed);
    best = std::max(best, QueryPct(v.features, original.features));
  }
  EXPECT_GE(best, 90.0);
}

TEST_F(VideoFrameVariantsTest, TrimmedAndMirroredTogether) {
  const VpdqVideoHash original =
      HashVideo(Bytes(testing::TestdataPath(kTrimSource)), {});
  const VpdqVideoHash edited = HashVideo(
      Edited("letterbox-hflip", "hflip,pad=iw:ih+180:0:90:black", kTrimSource),
      {.dihedral = true, .trim = true});
  ASSERT_EQ(edited.variants.size(), 15u);
  // Mirroring the mirrored copy (flipy: left to right) gives the original.
  const VpdqFrameVariant* variant =
      FindVariant(edited, DihedralTransform::kFlipY, /*trimmed=*/true);
  ASSERT_NE(variant, nullptr);
  EXPECT_GE(QueryPct(variant->features, original.features), 99.0);
  EXPECT_LT(
      QueryPct(FindVariant(edited, DihedralTransform::kFlipY, false)->features,
               original.features),
      50.0);
}

}  // namespace
}  // namespace clearmatch
