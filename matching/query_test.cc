// Query::FromHashes validation (one test per class of bad input) and the
// round trip through ToHashes.
#include "matching/query.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

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

  v1::Hashes too_many;
  for (int i = 0; i <= Query::kMaxPdqHashes; ++i) {
    too_many.add_pdq()->set_hash(kPdq);
  }
  ExpectInvalid(too_many, "at most 8");

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
