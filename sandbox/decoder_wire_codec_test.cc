#include "sandbox/decoder_wire_codec.h"

#include <utility>

#include "gtest/gtest.h"

namespace clearmatch::sandbox {
namespace {

PdqHash HashOf(uint8_t seed) {
  std::array<uint8_t, PdqHash::kBytes> bytes;
  for (int i = 0; i < PdqHash::kBytes; ++i) bytes[i] = seed + i;
  return PdqHash(bytes);
}

TEST(DecoderWireCodecTest, OptionsRoundTrip) {
  MediaFingerprinter::Options options;
  options.image_limits = {.max_bytes = 11,
                          .max_pixels = 12,
                          .max_side = 13,
                          .max_jpeg_scans = 14,
                          .max_decoded_bytes = 15,
                          .max_gif_frames = 16};
  options.dihedral = true;
  options.trim = true;
  options.video.limits.max_bytes = 21;
  options.video.limits.max_width = 22;
  options.video.limits.max_height = 23;
  options.video.limits.max_pixels = 24;
  options.video.limits.max_duration_seconds = 25.5;
  options.video.limits.max_decoded_frames = 26;
  options.video.limits.max_streams = 27;
  options.video.limits.max_wall_time = absl::Seconds(90);
  options.video.seconds_per_hash = 0.5;
  options.video.keyframes_only = true;
  options.video.skip_unsampled_frames = false;
  options.video.conversion = VideoFrameSampler::FrameConversion::kLumaPlane;
  options.video.decoder_threads = 4;

  const DecodeRequest wire = RequestToWire(options, absl::Seconds(7), 3);
  EXPECT_EQ(wire.cpu_seconds(), 3u);
  const MediaFingerprinter::Options back = OptionsFromWire(wire);
  EXPECT_EQ(back.image_limits.max_bytes, 11);
  EXPECT_EQ(back.image_limits.max_pixels, 12);
  EXPECT_EQ(back.image_limits.max_side, 13);
  EXPECT_EQ(back.image_limits.max_jpeg_scans, 14);
  EXPECT_EQ(back.image_limits.max_decoded_bytes, 15);
  EXPECT_EQ(back.image_limits.max_gif_frames, 16);
  EXPECT_TRUE(back.dihedral);
  EXPECT_TRUE(back.trim);
  EXPECT_EQ(back.video.limits.max_bytes, 21);
  EXPECT_EQ(back.video.limits.max_width, 22);
  EXPECT_EQ(back.video.limits.max_height, 23);
  EXPECT_EQ(back.video.limits.max_pixels, 24);
  EXPECT_EQ(back.video.limits.max_duration_seconds, 25.5);
  EXPECT_EQ(back.video.limits.max_decoded_frames, 26);
  EXPECT_EQ(back.video.limits.max_streams, 27);
  // Cut to the wall time the daemon waits.
  EXPECT_EQ(back.video.limits.max_wall_time, absl::Seconds(7));
  EXPECT_EQ(back.video.seconds_per_hash, 0.5);
  EXPECT_TRUE(back.video.keyframes_only);
  EXPECT_FALSE(back.video.skip_unsampled_frames);
  EXPECT_EQ(back.video.conversion,
            VideoFrameSampler::FrameConversion::kLumaPlane);
  EXPECT_EQ(back.video.decoder_threads, 1);  // the sandbox has no threads
}

TEST(DecoderWireCodecTest, FingerprintRoundTrip) {
  MediaFingerprint fp;
  fp.format = MediaFormat::kMp4;
  fp.digests = {"m", "s1", "s256"};
  fp.width = 640;
  fp.height = 480;
  PdqDihedralResult pdq;
  for (int i = 0; i < kDihedralCount; ++i) pdq.hashes[i] = HashOf(i);
  pdq.quality = 77;
  fp.pdq = pdq;
  VpdqVideoHash video;
  video.features.push_back(
      {.frame_number = 3, .quality = 90, .hash = HashOf(40), .seconds = 0.1});
  video.fps = 29.97;
  video.decoded_frames = 100;
  video.width = 640;
  video.height = 480;
  video.container = "mov";
  video.codec = "h264";
  video.skipped_unsampled_frames = true;
  fp.vpdq = video;

  DecodeResult wire;
  ASSERT_TRUE(wire.ParseFromString(ResultToWire(fp).SerializeAsString()));
  absl::StatusOr<absl::StatusOr<MediaFingerprint>> back = ResultFromWire(wire);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_TRUE(back->ok()) << back->status();
  const MediaFingerprint& got = **back;
  EXPECT_EQ(got.format, MediaFormat::kMp4);
  EXPECT_EQ(got.digests.md5, "m");
  EXPECT_EQ(got.digests.sha1, "s1");
  EXPECT_EQ(got.digests.sha256, "s256");
  EXPECT_EQ(got.width, 640);
  ASSERT_TRUE(got.pdq.has_value());
  EXPECT_EQ(got.pdq->hashes, pdq.hashes);
  EXPECT_EQ(got.pdq->quality, 77);
  ASSERT_TRUE(got.vpdq.has_value());
  EXPECT_EQ(got.vpdq->features, video.features);
  EXPECT_EQ(got.vpdq->fps, 29.97);
  EXPECT_EQ(got.vpdq->decoded_frames, 100);
  EXPECT_EQ(got.vpdq->container, "mov");
  EXPECT_EQ(got.vpdq->codec, "h264");
  EXPECT_TRUE(got.vpdq->skipped_unsampled_frames);
}

TEST(DecoderWireCodecTest, TrimmedImageRoundTrips) {
  MediaFingerprint fp;
  fp.format = MediaFormat::kJpeg;
  PdqDihedralResult pdq, trimmed;
  for (int i = 0; i < kDihedralCount; ++i) {
    pdq.hashes[i] = HashOf(i);
    trimmed.hashes[i] = HashOf(20 + i);
  }
  trimmed.quality = 66;
  fp.pdq = pdq;
  fp.trimmed_pdq = trimmed;
  fp.content_rect = ContentRect{3, 4, 500, 300};

  DecodeResult wire;
  ASSERT_TRUE(wire.ParseFromString(ResultToWire(fp).SerializeAsString()));
  absl::StatusOr<absl::StatusOr<MediaFingerprint>> back = ResultFromWire(wire);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_TRUE(back->ok()) << back->status();
  ASSERT_TRUE((*back)->trimmed_pdq.has_value());
  EXPECT_EQ((*back)->trimmed_pdq->hashes, trimmed.hashes);
  EXPECT_EQ((*back)->trimmed_pdq->quality, 66);
  EXPECT_EQ((*back)->content_rect, (ContentRect{3, 4, 500, 300}));
  EXPECT_EQ((*back)->pdq->hashes, pdq.hashes);
  EXPECT_FALSE((*back)->alternative_pdq.has_value());

  // The second reading of the border travels with its rectangle.
  PdqDihedralResult alternative = trimmed;
  alternative.hashes[0] = HashOf(40);
  alternative.quality = 55;
  fp.alternative_pdq = alternative;
  fp.alternative_rect = ContentRect{3, 0, 500, 310};
  back = ResultFromWire(ResultToWire(fp));
  ASSERT_TRUE(back.ok() && back->ok());
  ASSERT_TRUE((*back)->alternative_pdq.has_value());
  EXPECT_EQ((*back)->alternative_pdq->hashes, alternative.hashes);
  EXPECT_EQ((*back)->alternative_pdq->quality, 55);
  EXPECT_EQ((*back)->alternative_rect, (ContentRect{3, 0, 500, 310}));
  fp.alternative_pdq.reset();
  fp.alternative_rect.reset();

  // Without a border, neither is sent.
  fp.trimmed_pdq.reset();
  fp.content_rect.reset();
  back = ResultFromWire(ResultToWire(fp));
  ASSERT_TRUE(back.ok() && back->ok());
  EXPECT_FALSE((*back)->trimmed_pdq.has_value());
  EXPECT_FALSE((*back)->content_rect.has_value());
}

TEST(DecoderWireCodecTest, AnErrorRoundTrips) {
  const DecodeResult wire =
      ResultToWire(absl::InvalidArgumentError("not an image"));
  absl::StatusOr<absl::StatusOr<MediaFingerprint>> back = ResultFromWire(wire);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->status(), absl::InvalidArgumentError("not an image"));
}

TEST(DecoderWireCodecTest, VideoFrameVariantsRoundTrip) {
  MediaFingerprint fp;
  VpdqVideoHash video;
  for (int i = 0; i < 3; ++i) {
    video.features.push_back({.frame_number = 30 * i,
                              .quality = 90,
                              .hash = HashOf(i),
                              .seconds = 1.0 * i});
  }
  for (const auto& [transform, trimmed] :
       {std::pair{DihedralTransform::kFlipX, false},
        std::pair{DihedralTransform::kOriginal, true}}) {
    VpdqFrameVariant variant{transform, trimmed, video.features};
    for (VpdqFeature& f : variant.features) {
      f.hash = HashOf(static_cast<uint8_t>(100 + f.frame_number + trimmed));
      f.quality = trimmed ? 60 : 90;
    }
    video.variants.push_back(variant);
  }
  video.trimmed_frames = 2;
  fp.vpdq = video;
  DecodeResult wire;
  ASSERT_TRUE(wire.ParseFromString(ResultToWire(fp).SerializeAsString()));
  absl::StatusOr<absl::StatusOr<MediaFingerprint>> back = ResultFromWire(wire);
  ASSERT_TRUE(back.ok() && back->ok());
  const VpdqVideoHash& got = *(*back)->vpdq;
  EXPECT_EQ(got.trimmed_frames, 2);
  ASSERT_EQ(got.variants.size(), 2u);
  for (size_t v = 0; v < 2; ++v) {
    EXPECT_EQ(got.variants[v].transform, video.variants[v].transform);
    EXPECT_EQ(got.variants[v].trimmed, video.variants[v].trimmed);
    EXPECT_EQ(got.variants[v].features, video.variants[v].features);
  }

  // A variant that does not cover every frame, or of no transform.
  DecodeResult short_variant = ResultToWire(fp);
  short_variant.mutable_vpdq()->mutable_variants(0)->mutable_hashes()->resize(
      64);
  EXPECT_EQ(ResultFromWire(short_variant).status().code(),
            absl::StatusCode::kDataLoss);
  DecodeResult bad_transform = ResultToWire(fp);
  bad_transform.mutable_vpdq()->mutable_variants(1)->set_transform(8);
  EXPECT_EQ(ResultFromWire(bad_transform).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(DecoderWireCodecTest, MalformedResultsAreDataLoss) {
  DecodeResult short_hash = ResultToWire(MediaFingerprint{});
  short_hash.mutable_pdq()->add_hashes("abc");
  EXPECT_EQ(ResultFromWire(short_hash).status().code(),
            absl::StatusCode::kDataLoss);
  DecodeResult short_trimmed = ResultToWire(MediaFingerprint{});
  short_trimmed.mutable_trimmed_pdq()->add_hashes(std::string(32, 'x'));
  EXPECT_EQ(ResultFromWire(short_trimmed).status().code(),
            absl::StatusCode::kDataLoss);
  // A second reading without its rectangle, or without the first reading.
  MediaFingerprint trimmed_twice;
  trimmed_twice.trimmed_pdq = PdqDihedralResult{};
  trimmed_twice.content_rect = ContentRect{0, 0, 10, 10};
  trimmed_twice.alternative_pdq = PdqDihedralResult{};
  trimmed_twice.alternative_rect = ContentRect{0, 1, 10, 9};
  ASSERT_TRUE(ResultFromWire(ResultToWire(trimmed_twice)).ok());
  DecodeResult no_rect = ResultToWire(trimmed_twice);
  no_rect.clear_alternative_rect();
  EXPECT_EQ(ResultFromWire(no_rect).status().code(),
            absl::StatusCode::kDataLoss);
  DecodeResult no_first = ResultToWire(trimmed_twice);
  no_first.clear_trimmed_pdq();
  no_first.clear_content_rect();
  EXPECT_EQ(ResultFromWire(no_first).status().code(),
            absl::StatusCode::kDataLoss);
  DecodeResult bad_code;
  bad_code.set_code(99);
  EXPECT_EQ(ResultFromWire(bad_code).status().code(),
            absl::StatusCode::kDataLoss);
  DecodeResult bad_format;
  bad_format.set_format(1000);
  EXPECT_EQ(ResultFromWire(bad_format).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace clearmatch::sandbox
