// Matcher against a real IndexSnapshot. PDQ results are compared with a
// brute-force scan that applies the documented rules itself (docs/DAEMON.md,
// "Verdict rules"); digests and videos with hand-made entries.
#include "matching/matcher.h"

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "index/index_builder.h"
#include "testing/pdq_codes.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::BruteDistance;
using ::clearmatch::testing::FlipBits;
using ::clearmatch::testing::PdqEntry;
using ::clearmatch::testing::RandomCode;
using ::testing::ElementsAre;
using ::testing::SizeIs;

constexpr char kPolicies[] = R"(
  banks { bank: "strict" policy { auto_distance: 8 review_distance: 16
                                  upload_action: REVIEW } }
  banks { bank: "watch" policy { shadow: true } }
  banks { bank: "upright" policy { dihedral: false } }
  banks { bank: "wide" policy { review_distance: 40 review_min_quality: 0 } }
)";
const char* const kBanks[] = {"main", "strict", "watch", "upright", "wide"};

VerdictPolicy Policy(const char* text) {
  v1::DaemonConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config));
  absl::StatusOr<VerdictPolicy> policy = VerdictPolicy::Create(config);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return *std::move(policy);
}

std::shared_ptr<const IndexSnapshot> Snapshot(std::vector<HashEntry> entries) {
  absl::StatusOr<std::shared_ptr<const IndexSnapshot>> snapshot =
      IndexBuilder(IndexBuilder::Options{}).Build(std::move(entries), 7);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status();
  return *snapshot;
}

// The rules of docs/DAEMON.md for kPolicies, written out independently.
struct Expected {
  v1::Decision decision = v1::ALLOW;
  int distance = 0;
  std::string transform;
};
int Rank(v1::Decision d) {
  return d == v1::TAKEDOWN ? 4 : d == v1::BLOCK ? 3 : d == v1::REVIEW ? 2 : 1;
}
v1::Decision Rule(const std::string& bank, int distance, int quality,
                  v1::Context context) {
  const bool strict = bank == "strict";
  const int auto_distance = strict ? 8 : 31;
  const int review_distance = strict ? 16 : bank == "wide" ? 40 : 31;
  const v1::Decision action =
      context == v1::RESCAN ? v1::TAKEDOWN : (strict ? v1::REVIEW : v1::BLOCK);
  const int review_min_quality = bank == "wide" ? 0 : 10;
  if (quality < review_min_quality) return v1::ALLOW;
  if (distance <= auto_distance && quality >= 50) return action;
  return distance <= review_distance ? v1::REVIEW : v1::ALLOW;
}

TEST(MatcherTest, PdqMatchesEqualABruteForceScanOfTheRules) {
  std::mt19937_64 rng(11);
  Query query;
  for (int t = 0; t < kDihedralCount; ++t) {
    // Low (REVIEW at most), reliable, and below review_min_quality.
    constexpr int kQualities[] = {40, 90, 5};
    query.pdq.push_back({RandomCode(rng), kQualities[t % 3],
                         static_cast<DihedralTransform>(t)});
  }
  std::vector<HashEntry> entries;
  for (int i = 0; i < 400; ++i) {
    const PdqHash& near = query.pdq[i % kDihedralCount].hash;
    const PdqHash hash = FlipBits(near, static_cast<int>(rng() % 44), rng);
    entries.push_back(PdqEntry(hash, "e" + std::to_string(i), kBanks[i % 5]));
  }
  const std::shared_ptr<const IndexSnapshot> snapshot = Snapshot(entries);
  const VerdictPolicy policy = Policy(kPolicies);
  for (v1::Context context : {v1::UPLOAD, v1::RESCAN}) {
    absl::flat_hash_map<std::string, Expected> expected;
    for (const HashEntry& entry : entries) {
      for (const QueryPdq& q : query.pdq) {
        if (entry.bank == "upright" &&
            q.transform != DihedralTransform::kOriginal) {
          continue;
        }
        const int distance = BruteDistance(q.hash, entry.pdq);
        const v1::Decision d = Rule(entry.bank, distance, q.quality, context);
        if (d == v1::ALLOW) continue;
        Expected& best = expected[entry.entry_id];
        if (Rank(d) > Rank(best.decision) ||
            (d == best.decision && distance < best.distance)) {
          best = {d, distance, std::string(DihedralTransformName(q.transform))};
        }
      }
    }
    Matcher::Options options;
    options.context = context;
    absl::StatusOr<std::vector<v1::Match>> matches =
        Matcher(policy).FindMatches(*snapshot, query, options);
    ASSERT_TRUE(matches.ok()) << matches.status();
    ASSERT_THAT(*matches, SizeIs(expected.size()));
    ASSERT_GT(expected.size(), 50u);
    for (size_t i = 0; i < matches->size(); ++i) {
      const v1::Match& m = (*matches)[i];
      const Expected& e = expected[m.entry_id()];
      EXPECT_EQ(m.decision(), e.decision) << m.entry_id();
      EXPECT_EQ(m.distance(), e.distance) << m.entry_id();
      EXPECT_EQ(m.transform(), e.transform) << m.entry_id();
      EXPECT_EQ(m.shadow(), m.bank() == "watch");
      EXPECT_EQ(m.hash_type(), "pdq");
      if (i == 0) continue;
      const v1::Match& prev = (*matches)[i - 1];
      EXPECT_LE(std::make_tuple(-Rank(prev.decision()), prev.distance()),
                std::make_tuple(-Rank(m.decision()), m.distance()));
    }
  }
}

TEST(MatcherTest, TrimmedHashesMatchWhereTheBankCountsThem) {
  std::mt19937_64 rng(9);
  const PdqHash bordered = RandomCode(rng), content = RandomCode(rng);
  const PdqHash content_rot90 = RandomCode(rng);
  const std::vector<HashEntry> entries = {
      PdqEntry(FlipBits(content, 4, rng), "photo", "main"),
      PdqEntry(FlipBits(content, 6, rng), "photo-upright", "notrim"),
      PdqEntry(FlipBits(content_rot90, 2, rng), "photo-rot", "main")};
  Query query;
  query.pdq.push_back({bordered, 90, DihedralTransform::kOriginal});
  query.pdq.push_back({content, 90, DihedralTransform::kOriginal, true});
  query.pdq.push_back({content_rot90, 90, DihedralTransform::kRotate90, true});
  const VerdictPolicy policy =
      Policy(R"(banks { bank: "notrim" policy { trim: false } })");
  const std::shared_ptr<const IndexSnapshot> snapshot = Snapshot(entries);
  auto find = [&](v1::CheckOptions::Trim trim) {
    Matcher::Options options;
    options.trim = trim;
    absl::StatusOr<std::vector<v1::Match>> matches =
        Matcher(policy).FindMatches(*snapshot, query, options);
    EXPECT_TRUE(matches.ok()) << matches.status();
    std::vector<std::string> found;
    for (const v1::Match& m : *matches) {
      found.push_back(m.entry_id() + " " + m.transform() + " " +
                      std::to_string(m.distance()) + " " +
                      v1::Decision_Name(m.decision()));
    }
    return found;
  };
  EXPECT_THAT(
      find(v1::CheckOptions::TRIM_DEFAULT),
      ElementsAre("photo-rot trimmed+rot90 2 BLOCK", "photo trimmed 4 BLOCK"));
  EXPECT_THAT(
      find(v1::CheckOptions::TRIM_ON),
      ElementsAre("photo-rot trimmed+rot90 2 BLOCK", "photo trimmed 4 BLOCK",
                  "photo-upright trimmed 6 BLOCK"));
  EXPECT_THAT(find(v1::CheckOptions::TRIM_OFF), ::testing::IsEmpty());
}

TEST(MatcherTest, AtEqualDistanceThePlainerVariantIsReported) {
  std::mt19937_64 rng(10);
  const PdqHash hash = RandomCode(rng);
  Query query;
  // The trimmed content hashes the same as the image (a 1-pixel border).
  query.pdq.push_back({hash, 90, DihedralTransform::kOriginal, true});
  query.pdq.push_back({hash, 90, DihedralTransform::kOriginal});
  const VerdictPolicy policy = Policy("");
  absl::StatusOr<std::vector<v1::Match>> matches = Matcher(policy).FindMatches(
      *Snapshot({PdqEntry(FlipBits(hash, 3, rng), "e", "main")}), query, {});
  ASSERT_TRUE(matches.ok());
  ASSERT_THAT(*matches, SizeIs(1));
  EXPECT_EQ((*matches)[0].transform(), "original");
}

TEST(MatcherTest, MaxDistanceNarrowsTheSearch) {
  std::mt19937_64 rng(5);
  const PdqHash hash = RandomCode(rng);
  std::vector<HashEntry> entries;
  for (int bits : {0, 3, 10, 20}) {
    entries.push_back(PdqEntry(FlipBits(hash, bits, rng),
                               "d" + std::to_string(bits), "main"));
  }
  Query query;
  query.pdq.push_back({hash, 100, DihedralTransform::kOriginal});
  Matcher::Options options;
  options.max_distance = 5;
  const VerdictPolicy policy = Policy("");
  absl::StatusOr<std::vector<v1::Match>> matches =
      Matcher(policy).FindMatches(*Snapshot(entries), query, options);
  ASSERT_TRUE(matches.ok());
  std::vector<std::string> ids;
  for (const v1::Match& m : *matches) ids.push_back(m.entry_id());
  EXPECT_THAT(ids, ElementsAre("d0", "d3"));
}

TEST(MatcherTest, DigestsMatchExactlyWithTheContextsAction) {
  std::vector<HashEntry> entries;
  for (auto [type, length] :
       {std::pair{HashType::kMd5, 16}, std::pair{HashType::kSha1, 20},
        std::pair{HashType::kSha256, 32}}) {
    HashEntry entry;
    entry.type = type;
    entry.entry_id = std::string(HashTypeName(type));
    entry.bank = "strict";
    entry.digest = std::string(length, '\x5a');
    entries.push_back(entry);
  }
  Query query;
  query.md5 = std::string(16, '\x5a');
  query.sha256 = std::string(32, '\x5b');  // no such entry
  const VerdictPolicy policy = Policy(kPolicies);
  const std::shared_ptr<const IndexSnapshot> snapshot = Snapshot(entries);
  for (auto [context, action] : {std::pair{v1::UPLOAD, v1::REVIEW},
                                 std::pair{v1::RESCAN, v1::TAKEDOWN}}) {
    Matcher::Options options;
    options.context = context;
    absl::StatusOr<std::vector<v1::Match>> matches =
        Matcher(policy).FindMatches(*snapshot, query, options);
    ASSERT_TRUE(matches.ok());
    ASSERT_THAT(*matches, SizeIs(1));
    EXPECT_EQ((*matches)[0].entry_id(), "md5");
    EXPECT_EQ((*matches)[0].distance(), 0);
    EXPECT_EQ((*matches)[0].decision(), action);
  }
}

TEST(MatcherTest, VideoMatchesVideoEntriesAndImagesSeenInIt) {
  std::mt19937_64 rng(3);
  Query query;
  HashEntry video;
  video.type = HashType::kVpdq;
  video.entry_id = "video";
  video.bank = "main";
  for (int i = 0; i < 10; ++i) {
    const PdqHash hash = RandomCode(rng);
    query.frames.push_back({i, 100, hash, 2.0 * i});
    video.frames.push_back({FlipBits(hash, 2, rng), i, 1.0 * i});
  }
  const std::vector<HashEntry> entries = {
      video, PdqEntry(query.frames[3].hash, "still", "main")};
  const VerdictPolicy policy = Policy("");
  absl::StatusOr<std::vector<v1::Match>> matches =
      Matcher(policy).FindMatches(*Snapshot(entries), query, {});
  ASSERT_TRUE(matches.ok()) << matches.status();
  ASSERT_THAT(*matches, SizeIs(2));
  const v1::Match& still = (*matches)[0];  // distance 0 sorts first
  EXPECT_EQ(still.entry_id(), "still");
  EXPECT_EQ(still.decision(), v1::BLOCK);
  ASSERT_THAT(still.query_ranges(), SizeIs(1));
  EXPECT_EQ(still.query_ranges(0).start_seconds(), 6.0);
  EXPECT_EQ(still.query_ranges(0).end_seconds(), 6.0);
  const v1::Match& whole = (*matches)[1];
  EXPECT_EQ(whole.entry_id(), "video");
  EXPECT_EQ(whole.hash_type(), "vpdq");
  EXPECT_EQ(whole.decision(), v1::BLOCK);
  EXPECT_DOUBLE_EQ(whole.query_pct(), 100);
  EXPECT_DOUBLE_EQ(whole.target_pct(), 100);
  ASSERT_THAT(whole.target_ranges(), SizeIs(1));
  EXPECT_EQ(whole.target_ranges(0).end_seconds(), 9.0);
}

}  // namespace
}  // namespace clearmatch
