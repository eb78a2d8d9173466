// Query::FromHashes validation (one test per class of bad input) and the
// round trip through ToHashes.
#include "matching/query.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matching/verdict_policy.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

const std::string kPdq(64, 'a');

void ExpectInvalid(const v1::Hashes& hashes, const std::string& text) {
  absl::StatusOr<Query> query = Query::FromHashes(hashes);
  ASSERT_FALSE(query.ok()) << hashes.DebugString();
  EXPECT_EQ(query.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(query.status().message(), HasSubstr(text));
}

TEST(QueryTest, AHashWithoutQualityIsOfUnknownQuality) {
  v1::Hashes hashes;
  hashes.add_pdq()->set_hash(std::string(64, 'a'));
  v1::PdqHashValue* zero = hashes.add_pdq();
  zero->set_hash(std::string(64, 'b'));
  zero->set_quality(0);
  absl::StatusOr<Query> query = Query::FromHashes(hashes);
  ASSERT_TRUE(query.ok()) << query.status();
  ASSERT_EQ(query->pdq.size(), 2u);
  EXPECT_EQ(query->pdq[0].quality, QueryPdq::kUnknownQuality);
  EXPECT_EQ(query->pdq[1].quality, 0);
  // Written back as it came: without a quality, and with quality 0.
  const v1::Hashes back = query->ToHashes();
  EXPECT_FALSE(back.pdq(0).has_quality());
  ASSERT_TRUE(back.pdq(1).has_quality());
  EXPECT_EQ(back.pdq(1).quality(), 0);
  // Never dropped as too low; never automatic.
  const BankPolicy bank;
  EXPECT_EQ(
      VerdictPolicy::DecidePdq(v1::UPLOAD, bank, 0, QueryPdq::kUnknownQuality),
      v1::REVIEW);
  EXPECT_EQ(VerdictPolicy::DecidePdq(v1::UPLOAD, bank, 0, 0), v1::ALLOW);
}

TEST(QueryTest, ParsesEveryKindOfHash) {
  v1::Hashes hashes;
  v1::PdqHashValue* pdq = hashes.add_pdq();
  pdq->set_hash(std::string(64, 'F'));
  pdq->set_quality(77);
  pdq->set_transform("rot90");
  hashes.set_md5(std::string(32, '0'));
  hashes.set_sha1(std::string(40, '1'));
  absl::StatusOr<Query> query = Query::FromHashes(hashes);
  ASSERT_TRUE(query.ok()) << query.status();
  ASSERT_EQ(query->pdq.size(), 1u);
  EXPECT_EQ(query->pdq[0].hash.ToHex(), std::string(64, 'f'));
  EXPECT_EQ(query->pdq[0].quality, 77);
  EXPECT_EQ(query->pdq[0].transform, DihedralTransform::kRotate90);
  EXPECT_EQ(query->md5, std::string(16, '\0'));
  EXPECT_EQ(query->sha1, std::string(20, '\x11'));
  EXPECT_TRUE(query->sha256.empty());
  const v1::Hashes back = query->ToHashes();
  EXPECT_EQ(back.pdq(0).hash(), std::string(64, 'f'));
  EXPECT_EQ(back.pdq(0).transform(), "rot90");
  EXPECT_EQ(back.sha1(), std::string(40, '1'));
  EXPECT_EQ(back.sha256(), "");
}

TEST(QueryTest, TrimmedHashesRoundTrip) {
  v1::Hashes hashes;
  for (const char* name : {"original", "trimmed", "trimmed+flipx", ""}) {
    v1::PdqHashValue* pdq = hashes.add_pdq();
    pdq->set_hash(kPdq);
    pdq->set_transform(name);
  }
  absl::StatusOr<Query> query = Query::FromHashes(hashes);
  ASSERT_TRUE(query.ok()) << query.status();
  ASSERT_EQ(query->pdq.size(), 4u);
  EXPECT_FALSE(query->pdq[0].trimmed);
  EXPECT_TRUE(query->pdq[1].trimmed);
  EXPECT_EQ(query->pdq[1].transform, DihedralTransform::kOriginal);
  EXPECT_TRUE(query->pdq[2].trimmed);
  EXPECT_EQ(query->pdq[2].transform, DihedralTransform::kFlipX);
  EXPECT_FALSE(query->pdq[3].trimmed);
  const v1::Hashes back = query->ToHashes();
  EXPECT_EQ(back.pdq(0).transform(), "original");
  EXPECT_EQ(back.pdq(1).transform(), "trimmed");
  EXPECT_EQ(back.pdq(2).transform(), "trimmed+flipx");
  EXPECT_EQ(back.pdq(3).transform(), "original");
  EXPECT_EQ(HashVariantName({DihedralTransform::kRotate90, true}),
            "trimmed+rot90");
  EXPECT_EQ(HashVariantName({DihedralTransform::kRotate90, false}), "rot90");
}

TEST(QueryTest, FromFingerprintAddsTheTrimmedContent) {
  MediaFingerprint fp;
  PdqDihedralResult pdq, trimmed;
  for (int i = 0; i < kDihedralCount; ++i) {
    pdq.hashes[i] = *PdqHash::FromHex(std::string(63, '0') + char('0' + i));
    trimmed.hashes[i] = *PdqHash::FromHex(std::string(63, 'f') + char('0' + i));
  }
  pdq.quality = 90;
  trimmed.quality = 80;
  fp.pdq = pdq;
  Query plain = Query::FromFingerprint(fp, /*dihedral=*/false);
  EXPECT_EQ(plain.pdq.size(), 1u);
  fp.trimmed_pdq = trimmed;
  Query one = Query::FromFingerprint(fp, /*dihedral=*/false);
  ASSERT_EQ(one.pdq.size(), 2u);
  EXPECT_TRUE(one.pdq[1].trimmed);
  EXPECT_EQ(one.pdq[1].hash, trimmed.hashes[0]);
  EXPECT_EQ(one.pdq[1].quality, 80);
  Query all = Query::FromFingerprint(fp, /*dihedral=*/true);
  ASSERT_EQ(all.pdq.size(), 16u);
  EXPECT_EQ(all.pdq[15].hash, trimmed.hashes[7]);
  EXPECT_EQ(all.pdq[15].transform, DihedralTransform::kFlipMinus1);
  EXPECT_EQ(all.ToHashes().pdq(15).transform(), "trimmed+flipminus1");
  // A fingerprint's 16 hashes are within what a caller may send back.
  EXPECT_TRUE(Query::FromHashes(all.ToHashes()).ok());
}

TEST(QueryTest, FromFingerprintAddsTheAlternativeReadingOfTheBorder) {
  MediaFingerprint fp;
  PdqDihedralResult pdq, trimmed, alternative;
  for (int i = 0; i < kDihedralCount; ++i) {
    pdq.hashes[i] = *PdqHash::FromHex(std::string(63, '0') + char('0' + i));
    trimmed.hashes[i] = *PdqHash::FromHex(std::string(63, 'f') + char('0' + i));
    alternative.hashes[i] =
        *PdqHash::FromHex(std::string(63, 'a') + char('0' + i));
  }
  alternative.quality = 70;
  fp.pdq = pdq;
  fp.trimmed_pdq = trimmed;
  fp.alternative_pdq = alternative;
  Query all = Query::FromFingerprint(fp, /*dihedral=*/true);
  ASSERT_EQ(all.pdq.size(), 24u);
  EXPECT_EQ(all.pdq[16].hash, alternative.hashes[0]);
  EXPECT_TRUE(all.pdq[16].trimmed);
  EXPECT_EQ(all.pdq[16].quality, 70);
  EXPECT_EQ(all.pdq[23].transform, DihedralTransform::kFlipMinus1);
  EXPECT_EQ(all.ToHashes().pdq(23).transform(), "trimmed+flipminus1");
  // All 24 are within what a caller may send back.
  EXPECT_TRUE(Query::FromHashes(all.ToHashes()).ok());
}

TEST(QueryTest, ParsesVideoFrames) {
  v1::Hashes hashes;
  for (int i = 0; i < 3; ++i) {
    v1::VpdqFrameHash* frame = hashes.add_vpdq();
    frame->set_hash(kPdq);
    frame->set_quality(90);
    frame->set_frame_number(i * 30);
    frame->set_seconds(i);
  }
  absl::StatusOr<Query> query = Query::FromHashes(hashes);
  ASSERT_TRUE(query.ok()) << query.status();
  ASSERT_EQ(query->frames.size(), 3u);
  EXPECT_EQ(query->frames[2].frame_number, 60);
  EXPECT_EQ(query->frames[2].seconds, 2.0);
}

TEST(QueryTest, VideoFrameVariantsFromACallerAndBack) {
  v1::Hashes hashes;
  const char* transforms[] = {"", "trimmed", "flipx", "original", "trimmed"};
  for (int i = 0; i < 5; ++i) {
    v1::VpdqFrameHash* frame = hashes.add_vpdq();
    frame->set_hash(kPdq);
    frame->set_quality(90);
    frame->set_frame_number(i);
    frame->set_transform(transforms[i]);
  }
  absl::StatusOr<Query> query = Query::FromHashes(hashes);
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->frames.size(), 2u);
  ASSERT_EQ(query->frame_variants.size(), 2u);
  EXPECT_EQ(query->frame_variants[0].variant,
            (HashVariant{DihedralTransform::kOriginal, true}));
  EXPECT_EQ(query->frame_variants[0].frames.size(), 2u);
  EXPECT_EQ(query->frame_variants[0].frames[1].frame_number, 4);
  EXPECT_EQ(query->frame_variants[1].variant.transform,
            DihedralTransform::kFlipX);
  // Back: the frames, then the trimmed ones; no rotations or mirrors.
  const v1::Hashes back = query->ToHashes();
  ASSERT_EQ(back.vpdq_size(), 4);
  EXPECT_EQ(back.vpdq(0).transform(), "");
  EXPECT_EQ(back.vpdq(2).transform(), "trimmed");
  EXPECT_EQ(back.vpdq(3).frame_number(), 4);

  hashes.mutable_vpdq(1)->set_transform("sideways");
  ExpectInvalid(hashes, "hashes.vpdq[1].transform: unknown transform");
}

TEST(QueryTest, FingerprintFrameVariantsFollowDihedral) {
  MediaFingerprint fp;
  fp.vpdq.emplace();
  fp.vpdq->features.push_back(
      {.frame_number = 0, .quality = 90, .hash = PdqHash(), .seconds = 0});
  fp.vpdq->variants.push_back(
      {DihedralTransform::kRotate90, false, fp.vpdq->features});
  fp.vpdq->variants.push_back(
      {DihedralTransform::kOriginal, true, fp.vpdq->features});
  EXPECT_EQ(Query::FromFingerprint(fp, true).frame_variants.size(), 2u);
  const Query upright = Query::FromFingerprint(fp, false);
  ASSERT_EQ(upright.frame_variants.size(), 1u);
  EXPECT_TRUE(upright.frame_variants[0].variant.trimmed);
}

TEST(QueryTest, AVideosFurtherReadingsOfItsBarsStayOutOfItsHashes) {
  // Two trimmed frame lists (two readings of the bars): both are matched,
  // the response's hashes carry the first, which parses back to one list.
  MediaFingerprint fp;
  fp.vpdq.emplace();
  fp.vpdq->features.push_back(
      {.frame_number = 0, .quality = 90, .hash = PdqHash(), .seconds = 0});
  std::vector<VpdqFeature> first = fp.vpdq->features, second = first;
  first[0].hash = *PdqHash::FromHex(std::string(64, 'a'));
  second[0].hash = *PdqHash::FromHex(std::string(64, 'b'));
  fp.vpdq->variants.push_back({DihedralTransform::kOriginal, true, first});
  fp.vpdq->variants.push_back({DihedralTransform::kOriginal, true, second});
  const Query query = Query::FromFingerprint(fp, false);
  ASSERT_EQ(query.frame_variants.size(), 2u);
  const v1::Hashes hashes = query.ToHashes();
  ASSERT_EQ(hashes.vpdq_size(), 2);
  EXPECT_EQ(hashes.vpdq(1).transform(), "trimmed");
  EXPECT_EQ(hashes.vpdq(1).hash(), std::string(64, 'a'));
  absl::StatusOr<Query> back = Query::FromHashes(hashes);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->frame_variants.size(), 1u);
  EXPECT_EQ(back->frame_variants[0].frames.size(), 1u);
}

TEST(QueryTest, BadHashesNameTheirField) {
  v1::Hashes none;
  ExpectInvalid(none, "no hash given");

  v1::Hashes bad_pdq;
  bad_pdq.add_pdq()->set_hash("abc");
  ExpectInvalid(bad_pdq, "hashes.pdq[0].hash");

  v1::Hashes bad_quality;
  bad_quality.add_pdq()->set_hash(kPdq);
  bad_quality.add_pdq()->set_hash(kPdq);
  bad_quality.mutable_pdq(1)->set_quality(101);
  ExpectInvalid(bad_quality, "hashes.pdq[1].quality: 101");

  v1::Hashes bad_transform;
  bad_transform.add_pdq()->set_hash(kPdq);
  bad_transform.mutable_pdq(0)->set_transform("sideways");
  ExpectInvalid(bad_transform, "hashes.pdq[0].transform");
  for (const char* name :
       {"trimmed+", "trimmed+sideways", "trimmedrot90", "rot90+trimmed"}) {
    bad_transform.mutable_pdq(0)->set_transform(name);
    ExpectInvalid(bad_transform, "hashes.pdq[0].transform");
  }

  v1::Hashes too_many;
  for (int i = 0; i <= Query::kMaxPdqHashes; ++i) {
    too_many.add_pdq()->set_hash(kPdq);
  }
  ExpectInvalid(too_many, "at most 24");

  v1::Hashes both;
  both.add_pdq()->set_hash(kPdq);
  both.add_vpdq()->set_hash(kPdq);
  ExpectInvalid(both, "exclusive");

  v1::Hashes bad_frame;
  bad_frame.add_vpdq()->set_hash(kPdq);
  bad_frame.mutable_vpdq(0)->set_seconds(-1);
  ExpectInvalid(bad_frame, "hashes.vpdq[0].seconds");
  bad_frame.mutable_vpdq(0)->set_seconds(0);
  bad_frame.mutable_vpdq(0)->set_frame_number(-2);
  ExpectInvalid(bad_frame, "hashes.vpdq[0].frame_number");

  v1::Hashes bad_md5;
  bad_md5.set_md5(std::string(31, 'a'));
  ExpectInvalid(bad_md5, "hashes.md5");
  v1::Hashes bad_sha256;
  bad_sha256.set_sha256(std::string(63, 'a') + "g");
  ExpectInvalid(bad_sha256, "hashes.sha256 has a non-hex character");
}

}  // namespace
}  // namespace clearmatch
