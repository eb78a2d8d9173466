// Tests of the allowlist's keys (ReviewStore::AllowlistKey: the hash of
// the kind that matched, caller's hashes only where they are the hash that
// matched) and of the schema 2 -> 3 migration of the allowlist table.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "review/audit_chain.h"
#include "review/review_store.h"
#include "review/sqlite_review_store.h"
#include "testing/sqlite_query.h"
#include "testing/temp_dir.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::QueryColumn;
using ::clearmatch::testing::TempDir;
using ::testing::ElementsAre;

constexpr char kMd5[] = "900150983cd24fb0d6963f7d28e17f72";
constexpr char kSha1[] = "a9993e364706816aba3e25717850c26c9cd0d89d";
constexpr char kSha256[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kPdq[] =
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
constexpr char kPdqRot90[] =
    "0707f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

v1::Match MatchOf(const std::string& hash_type,
                  const std::string& transform = "original") {
  v1::Match match;
  match.set_bank("tid");
  match.set_entry_id("e1");
  match.set_hash_type(hash_type);
  match.set_transform(transform);
  return match;
}

// An image as the daemon hashes it: three digests, the PDQ hash and a
// rotated variant.
v1::Hashes Image() {
  v1::Hashes hashes;
  hashes.set_md5(kMd5);
  hashes.set_sha1(kSha1);
  hashes.set_sha256(kSha256);
  v1::PdqHashValue* original = hashes.add_pdq();
  original->set_hash(kPdq);
  original->set_transform("original");
  v1::PdqHashValue* rotated = hashes.add_pdq();
  rotated->set_hash(kPdqRot90);
  rotated->set_transform("rot90");
  return hashes;
}

v1::Hashes Video() {
  v1::Hashes hashes;
  hashes.set_md5(kMd5);
  hashes.set_sha1(kSha1);
  hashes.set_sha256(kSha256);
  hashes.add_vpdq()->set_hash(kPdq);
  return hashes;
}

TEST(AllowlistKeyTest, DaemonHashesGiveTheHashOfTheKindThatMatched) {
  const v1::Hashes image = Image();
  const std::string pdq = std::string("pdq:") + kPdq;
  EXPECT_EQ(ReviewStore::AllowlistKey(image, false, MatchOf("pdq")), pdq);
  // A rotated variant's match is keyed by the untransformed hash.
  EXPECT_EQ(ReviewStore::AllowlistKey(image, false, MatchOf("pdq", "rot90")),
            pdq);
  EXPECT_EQ(ReviewStore::AllowlistKey(image, false, MatchOf("md5")),
            std::string("md5:") + kMd5);
  EXPECT_EQ(ReviewStore::AllowlistKey(image, false, MatchOf("sha1")),
            std::string("sha1:") + kSha1);
  EXPECT_EQ(ReviewStore::AllowlistKey(image, false, MatchOf("sha256")),
            std::string("sha256:") + kSha256);
  // A video, by a vPDQ entry or by its frames against an image entry: the
  // file's SHA-256.
  const v1::Hashes video = Video();
  EXPECT_EQ(ReviewStore::AllowlistKey(video, false, MatchOf("vpdq")),
            std::string("sha256:") + kSha256);
  EXPECT_EQ(ReviewStore::AllowlistKey(video, false, MatchOf("pdq")),
            std::string("sha256:") + kSha256);
  EXPECT_EQ(ReviewStore::AllowlistKey(image, false, MatchOf("unknown")), "");
  v1::Hashes no_md5 = image;
  no_md5.clear_md5();
  EXPECT_EQ(ReviewStore::AllowlistKey(no_md5, false, MatchOf("md5")), "");
}

TEST(AllowlistKeyTest, TrimmedMatchesAreKeyedByTheUntrimmedHash) {
  // The daemon hashed the image and its trimmed content: a match on the
  // trimmed content (or a rotation of it) is the content's, keyed by the
  // untransformed, untrimmed PDQ.
  v1::Hashes image = Image();
  v1::PdqHashValue* trimmed = image.add_pdq();
  trimmed->set_hash(kPdqRot90);
  trimmed->set_transform("trimmed");
  v1::PdqHashValue* trimmed_rotated = image.add_pdq();
  trimmed_rotated->set_hash(kPdqRot90);
  trimmed_rotated->set_transform("trimmed+rot90");
  const std::string pdq = std::string("pdq:") + kPdq;
  EXPECT_EQ(ReviewStore::AllowlistKey(image, false, MatchOf("pdq", "trimmed")),
            pdq);
  EXPECT_EQ(
      ReviewStore::AllowlistKey(image, false, MatchOf("pdq", "trimmed+rot90")),
      pdq);
  // A caller's original hash is not bound to its trimmed hash that matched;
  // its original still is when that matched.
  EXPECT_EQ(ReviewStore::AllowlistKey(image, true, MatchOf("pdq", "trimmed")),
            "");
  EXPECT_EQ(ReviewStore::AllowlistKey(image, true, MatchOf("pdq")), pdq);
  // Only a trimmed hash: nothing to key by.
  v1::Hashes only_trimmed;
  *only_trimmed.add_pdq() = *trimmed;
  EXPECT_EQ(
      ReviewStore::AllowlistKey(only_trimmed, false, MatchOf("pdq", "trimmed")),
      "");
}

TEST(AllowlistKeyTest, CallersHashesCountOnlyAsTheHashThatMatched) {
  const v1::Hashes image = Image();
  EXPECT_EQ(ReviewStore::AllowlistKey(image, true, MatchOf("pdq")),
            std::string("pdq:") + kPdq);
  EXPECT_EQ(ReviewStore::AllowlistKey(image, true, MatchOf("sha256")),
            std::string("sha256:") + kSha256);
  // The caller's "original" is not bound to the rotated hash that matched.
  EXPECT_EQ(ReviewStore::AllowlistKey(image, true, MatchOf("pdq", "rot90")),
            "");
  // Two "original" hashes: which one matched is unknown.
  v1::Hashes two = image;
  v1::PdqHashValue* second = two.add_pdq();
  second->set_hash(kPdqRot90);
  EXPECT_EQ(ReviewStore::AllowlistKey(two, true, MatchOf("pdq")), "");
  // A caller's SHA-256 is not bound to the frames it sent.
  EXPECT_EQ(ReviewStore::AllowlistKey(Video(), true, MatchOf("vpdq")), "");
  EXPECT_EQ(ReviewStore::AllowlistKey(Video(), true, MatchOf("pdq")), "");
  // Hex in upper case is the same hash.
  v1::Hashes upper;
  upper.set_md5("900150983CD24FB0D6963F7D28E17F72");
  EXPECT_EQ(ReviewStore::AllowlistKey(upper, true, MatchOf("md5")),
            std::string("md5:") + kMd5);
}

v1::MatchRecord RecordOf(const std::string& entry_id, v1::Hashes hashes) {
  v1::MatchRecord record;
  record.set_decision(v1::BLOCK);
  *record.add_matches() = MatchOf("pdq");
  record.mutable_matches(0)->set_entry_id(entry_id);
  *record.mutable_query_hashes() = std::move(hashes);
  return record;
}

TEST(AllowlistMigrationTest, Version2KeepsOnlyRowsOfTheMatchedKindFromMedia) {
  TempDir dir;
  const std::string path = dir.File("review.sqlite");
  {
    SqliteReviewStore::Options options;
    options.path = path;
    auto store = SqliteReviewStore::Create(options);
    ASSERT_TRUE(store.ok()) << store.status();
    (*store)->Enqueue(RecordOf("media", Image()));  // match 1
    v1::Hashes sent;  // what a hash-only request typically sends
    sent.set_sha256(kSha256);
    *sent.add_pdq() = Image().pdq(0);
    (*store)->Enqueue(RecordOf("hashes", sent));  // match 2
    (*store)->Flush();
  }
  // The rows schema 2 wrote: every hash with every matched entry.
  QueryColumn(path,
              std::string("INSERT INTO allowlist VALUES ") + "('sha256:" +
                  kSha256 + "', 'tid', 'media', 1, 'alice', 5), ('pdq:" + kPdq +
                  "', 'tid', 'media', 1, 'alice', 5), ('sha256:" + kSha256 +
                  "', 'tid', 'hashes', 2, 'alice', 5), ('pdq:" + kPdq +
                  "', 'tid', 'hashes', 2, 'alice', 5), ('pdq:" + kPdq +
                  "', 'tid', 'gone', 99, 'alice', 5);" +
                  "UPDATE meta SET value = '2' WHERE key = 'schema_version'");
  {
    SqliteReviewStore::Options options;
    options.path = path;
    auto store = SqliteReviewStore::Create(options);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_TRUE(
        (*store)->IsAllowlisted(std::string("pdq:") + kPdq, "tid", "media"));
    EXPECT_FALSE((*store)->IsAllowlisted(std::string("sha256:") + kSha256,
                                         "tid", "media"));
    EXPECT_FALSE(
        (*store)->IsAllowlisted(std::string("pdq:") + kPdq, "tid", "hashes"));
  }
  EXPECT_THAT(QueryColumn(path,
                          "SELECT content_key || ' ' || entry_id "
                          "FROM allowlist"),
              ElementsAre(std::string("pdq:") + kPdq + " media"));
  EXPECT_THAT(QueryColumn(path,
                          "SELECT value FROM meta WHERE key = "
                          "'schema_version'"),
              ElementsAre("4"));
  EXPECT_THAT(QueryColumn(path,
                          "SELECT count(*) FROM audit WHERE kind = "
                          "'allowlist_remove'"),
              ElementsAre("4"));
  EXPECT_TRUE(VerifyAuditChain(path).ok());
}

}  // namespace
}  // namespace clearmatch
